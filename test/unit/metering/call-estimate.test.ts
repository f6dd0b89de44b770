import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, estimateTokens } from '../../../src/cost/cost-estimator.js';
import {
  estimateChatCall,
  estimateCompletionCall,
  estimateEmbeddingCall,
  estimateInferenceCall,
  requestBodyBytes,
} from '../../../src/metering/call-estimate.js';

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

  it('gives embeddings no output tokens, and counts the request body bytes as the transport does', () => {
    const request = { model: 'e', input: 'héllo there' };
    expect(estimateEmbeddingCall(request)).toEqual({
      model: 'e',
      promptTokens: estimateTokens('héllo there'),
      maxOutputTokens: 0,
      // UTF-8 bytes of the JSON body, not UTF-16 characters: 'é' is 2 bytes.
      bytesIn: JSON.stringify(request).length + 1,
    });
    expect(requestBodyBytes(request)).toBe(Buffer.byteLength(JSON.stringify(request)));
    expect(estimateEmbeddingCall({ model: 'e', input: [4, 5, 6] }).promptTokens).toBe(3);
  });

  it('counts an OIP request: every input tensor element and the body bytes, no tokens', () => {
    const request = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { name: 'b', datatype: 'INT64', shape: [4], data: [1, 2, 3, 4] },
      ],
    };
    expect(estimateInferenceCall('ref-classify', request)).toEqual({
      model: 'ref-classify',
      promptTokens: 0,
      maxOutputTokens: 0,
      bytesIn: Buffer.byteLength(JSON.stringify(request)),
      tensorElements: 10,
    });
  });
});
