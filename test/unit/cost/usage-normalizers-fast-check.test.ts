import { describe, expect, it } from 'vitest';
import { type UsageCounts, usageFromCounts, usageValues } from '../../../src/cost/usage.js';
import { normalizeOpenAIUsage, openAIUsageCounts } from '../../../src/cost/usage-normalizers.js';
import { ValidationError } from '../../../src/errors/index.js';

// The structural check in front of zod must accept only what zod accepts, and read the same counts.
const accepted: Record<string, unknown>[] = [
  { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
  { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, compute_ms: 7 },
  {
    prompt_tokens: 1117,
    completion_tokens: 946,
    total_tokens: 2063,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 704 },
  },
  {
    input_tokens: 5,
    output_tokens: 9,
    input_tokens_details: { cached_tokens: 2 },
    output_tokens_details: null,
  },
  { prompt_tokens: 40, cache_creation_input_tokens: 10, cache_read_input_tokens: 20, total_tokens: 40 },
  { prompt_tokens: 3, completion_tokens: null, total_tokens: null, extra: 'kept loose' },
];
const refused: Record<string, unknown>[] = [
  { prompt_tokens: -1, completion_tokens: 1, total_tokens: 0 },
  { prompt_tokens: 1.5, completion_tokens: 1, total_tokens: 2 },
  { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3, compute_ms: -4 },
  { prompt_tokens: 2, completion_tokens: '1', total_tokens: 3 },
  { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0.5 } },
  { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3, completion_tokens_details: 'none' },
  { prompt_tokens: 2, cache_read_input_tokens: Number.MAX_SAFE_INTEGER + 2 },
];

describe('normalizeOpenAIUsage structural check', () => {
  it('reads valid usage to the same buckets as zod does', () => {
    for (const raw of accepted) {
      // The same fields on an object with a foreign prototype: the check leaves it to zod.
      const viaZod = Object.assign(Object.create({ inherited: true }), raw) as Record<string, unknown>;
      expect(usageValues(normalizeOpenAIUsage(raw))).toEqual(usageValues(normalizeOpenAIUsage(viaZod)));
    }
  });

  it('still refuses every invalid count with a ValidationError naming the field', () => {
    for (const raw of refused) {
      expect(() => normalizeOpenAIUsage(raw), JSON.stringify(raw)).toThrow(ValidationError);
    }
  });

  it('gives every bucket in the counts, bytes at zero for the client to fill in', () => {
    const counts: UsageCounts = openAIUsageCounts({
      prompt_tokens: 12,
      completion_tokens: 30,
      total_tokens: 42,
    });
    expect(counts).toEqual({
      inputTokens: 12,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 30,
      reasoningTokens: 0,
      computeMs: 0,
      bytesIn: 0,
      bytesOut: 0,
      tensorElements: 0,
      requests: 1,
      deployedSeconds: 0,
      trainedExamples: 0,
    });
    counts.bytesIn = 310;
    const usage = usageFromCounts(counts, 'reported');
    expect(usage.bytesIn).toEqual({ value: 310, provenance: 'reported' });
    expect(Object.isFrozen(usage)).toBe(true);
  });

  it('usageFromCounts refuses a count that is not a non-negative integer', () => {
    const counts = openAIUsageCounts({ prompt_tokens: 1, total_tokens: 1 });
    counts.bytesOut = -3;
    expect(() => usageFromCounts(counts, 'reported')).toThrow(/bytesOut/);
  });
});
