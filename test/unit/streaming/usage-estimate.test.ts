import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/cost/cost-estimator.js';
import { estimateUsage } from '../../../src/streaming/usage-estimate.js';

describe('estimateUsage', () => {
  it('counts output that contains special-token markers as plain text, as the cost estimator does', async () => {
    const output = 'The document ends with <|endoftext|> and then <|im_start|> appears.';
    const usage = await estimateUsage([output], { promptTokens: 7 });
    expect(usage.provenance).toBe('estimated');
    expect(usage.tokens.completion_tokens).toBe(estimateTokens(output));
    expect(usage.tokens.completion_tokens).toBeGreaterThan(10);
    expect(usage.tokens.total_tokens).toBe(7 + usage.tokens.completion_tokens);
  });

  it('needs no tokenizer for a stream that produced nothing', async () => {
    const usage = await estimateUsage(['', ''], { promptTokens: 3, estimateTokens: () => Number.NaN });
    expect(usage.tokens).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });
});
