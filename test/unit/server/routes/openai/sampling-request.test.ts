import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import {
  defaultMaxTokens,
  samplingOptionsFor,
} from '../../../../../src/server/routes/openai/sampling-request.js';

const limits = { defaultSeed: 42, promptTokens: 10, maxModelLength: 100, promptParam: 'messages' };

function paramOf(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) return error.param;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('samplingOptionsFor', () => {
  it("derives one seed per choice from the request's seed or the server's", () => {
    expect(samplingOptionsFor({ n: 3, seed: 7 }, limits).map((options) => options.seed)).toEqual([7, 8, 9]);
    expect(samplingOptionsFor({ n: 2 }, limits).map((options) => options.seed)).toEqual([42, 43]);
    expect(samplingOptionsFor({ seed: -1, n: 2 }, limits).map((options) => options.seed)).toEqual([
      4294967295, 0,
    ]);
  });

  it("applies OpenAI's defaults and vLLM's top_k convention", () => {
    const [options] = samplingOptionsFor({ top_k: -1, stop: 'END' }, limits);
    expect(options).toEqual({
      temperature: 1,
      topP: 1,
      topK: 0,
      seed: 42,
      maxTokens: Math.min(defaultMaxTokens, 90),
      stop: ['END'],
    });
    expect(samplingOptionsFor({ max_tokens: 5, max_completion_tokens: 9 }, limits)[0]!.maxTokens).toBe(9);
  });

  it('refuses completions longer than the context and prompts that fill it', () => {
    expect(paramOf(() => samplingOptionsFor({ max_tokens: 91 }, limits))).toBe('max_tokens');
    expect(paramOf(() => samplingOptionsFor({ max_completion_tokens: 91 }, limits))).toBe(
      'max_completion_tokens',
    );
    expect(paramOf(() => samplingOptionsFor({}, { ...limits, promptTokens: 100 }))).toBe('messages');
  });

  it('refuses sampling controls the model cannot honour', () => {
    expect(paramOf(() => samplingOptionsFor({ presence_penalty: 0.5 }, limits))).toBe('presence_penalty');
    expect(paramOf(() => samplingOptionsFor({ frequency_penalty: -1 }, limits))).toBe('frequency_penalty');
    expect(paramOf(() => samplingOptionsFor({ logit_bias: { '1': 5 } }, limits))).toBe('logit_bias');
    expect(samplingOptionsFor({ presence_penalty: 0, logit_bias: {} }, limits)).toHaveLength(1);
  });
});
