import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/cost/cost-estimator.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { streamUsageBuckets, tokenUsage, withMeasuredBytes } from '../../../src/metering/call-usage.js';

const response = { status: 200, headers: {}, requestId: 'r', bodyBytes: { sent: 120, received: 480 } };

describe('call usage', () => {
  it('splits OpenAI usage into buckets and adds the measured bytes', () => {
    const usage = tokenUsage(
      {
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 200 },
      },
      response,
      () => {
        throw new Error('reported usage needs no estimate');
      },
    );
    expect(usage).toEqual(
      makeUsage({
        inputTokens: 176,
        cacheReadTokens: 1024,
        outputTokens: 100,
        reasoningTokens: 200,
        bytesIn: 120,
        bytesOut: 480,
        requests: 1,
      }),
    );
  });

  it('estimates a response without usage, tagged estimated (requests and bytes stay exact)', () => {
    const usage = tokenUsage(undefined, response, () => ({
      promptTokens: 12,
      outputTexts: ['Hello there, friend'],
    }));
    expect(usage.inputTokens).toEqual({ value: 12, provenance: 'estimated' });
    expect(usage.outputTokens).toEqual({
      value: estimateTokens('Hello there, friend'),
      provenance: 'estimated',
    });
    expect(usage.requests).toEqual({ value: 1, provenance: 'reported' });
    expect(usage.bytesOut).toEqual({ value: 480, provenance: 'reported' });
  });

  it('leaves usage alone when no bytes were measured (streams)', () => {
    const usage = makeUsage({ inputTokens: 3 });
    expect(withMeasuredBytes(usage, { status: 200, headers: {}, requestId: undefined })).toBe(usage);
  });

  it("reads Ollama's own counters from a stream (compute time included), else the OpenAI shape", () => {
    const tokens = { prompt_tokens: 26, completion_tokens: 298, total_tokens: 324 };
    const raw = { prompt_eval_count: 26, eval_count: 298, total_duration: 4_883_583_458 };
    expect(streamUsageBuckets({ tokens, provenance: 'reported', raw }, 'ollama')).toEqual(
      makeUsage({ inputTokens: 26, outputTokens: 298, computeMs: 4884, requests: 1 }),
    );
    const estimated = streamUsageBuckets({ tokens, provenance: 'estimated', raw: undefined }, 'ollama');
    expect(estimated.inputTokens).toEqual({ value: 26, provenance: 'estimated' });
    expect(estimated.outputTokens).toEqual({ value: 298, provenance: 'estimated' });
    expect(estimated.computeMs.value).toBe(0);
    expect(
      streamUsageBuckets({ tokens, provenance: 'reported', raw: tokens }, 'openai').outputTokens.value,
    ).toBe(298);
  });
});
