import { describe, expect, it } from 'vitest';
import {
  estimateChatCall,
  estimateCompletionCall,
  estimateEmbeddingCall,
} from '../../../src/client/call-estimate.js';
import { estimatePromptTokens, estimateTokens } from '../../../src/cost/cost-estimator.js';

describe('call estimates', () => {
  const messages = [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'What is the capital of France?', name: 'ana' },
  ];

  it('counts a chat prompt like the cost layer, and caps output by max_tokens times n', () => {
    expect(estimateChatCall({ model: 'm', messages, max_tokens: 10, n: 3 })).toEqual({
      model: 'm',
      promptTokens: estimatePromptTokens(messages),
      maxOutputTokens: 30,
    });
  });

  it('prefers max_completion_tokens, and has no cap when neither is set', () => {
    expect(
      estimateChatCall({ model: 'm', messages, max_tokens: 10, max_completion_tokens: 4 }).maxOutputTokens,
    ).toBe(4);
    expect(estimateChatCall({ model: 'm', messages }).maxOutputTokens).toBeUndefined();
  });

  it('counts every prompt of a text completion, token ids as they are, and caps output per prompt', () => {
    expect(
      estimateCompletionCall({ model: 'm', prompt: ['Once upon', 'a time'], max_tokens: 5, n: 2 }),
    ).toEqual({
      model: 'm',
      promptTokens: estimateTokens('Once upon') + estimateTokens('a time'),
      maxOutputTokens: 20,
    });
    expect(estimateCompletionCall({ model: 'm', prompt: [1, 2, 3], max_tokens: 2 })).toMatchObject({
      promptTokens: 3,
      maxOutputTokens: 2,
    });
    expect(estimateCompletionCall({ model: 'm', prompt: [[1, 2], [3]], max_tokens: 2 })).toMatchObject({
      promptTokens: 3,
      maxOutputTokens: 4,
    });
  });

  it('gives embeddings no output at all', () => {
    expect(estimateEmbeddingCall({ model: 'e', input: 'hello there' })).toEqual({
      model: 'e',
      promptTokens: estimateTokens('hello there'),
      maxOutputTokens: 0,
    });
    expect(estimateEmbeddingCall({ model: 'e', input: [4, 5, 6] }).promptTokens).toBe(3);
  });
});
