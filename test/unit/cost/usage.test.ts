import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addUsage,
  emptyUsage,
  isEmptyUsage,
  makeUsage,
  totalInputTokens,
  totalOutputTokens,
  USAGE_BUCKETS,
  usageProvenance,
  usageValues,
  weakerProvenance,
  withProvenance,
} from '../../../src/cost/usage.js';
import { AiaasError } from '../../../src/errors/index.js';

describe('usage', () => {
  it('has every bucket at a reported zero when empty', () => {
    const usage = emptyUsage();
    expect(Object.keys(usage).sort()).toEqual([...USAGE_BUCKETS].sort());
    expect(isEmptyUsage(usage)).toBe(true);
    expect(usage.inputTokens).toEqual({ value: 0, provenance: 'reported' });
  });

  it('tags given buckets with the provenance and leaves the rest as reported zeros', () => {
    const usage = makeUsage(
      { inputTokens: 800, requests: { value: 1, provenance: 'reported' } },
      'estimated',
    );
    expect(usage.inputTokens).toEqual({ value: 800, provenance: 'estimated' });
    expect(usage.requests).toEqual({ value: 1, provenance: 'reported' });
    expect(usage.outputTokens).toEqual({ value: 0, provenance: 'reported' });
    expect(usageProvenance(usage)).toBe('estimated');
  });

  it('rejects non-integer, negative and unknown buckets', () => {
    expect(() => makeUsage({ inputTokens: 1.5 })).toThrow(/non-negative integer/);
    expect(() => makeUsage({ outputTokens: -1 })).toThrow(AiaasError);
    expect(() => makeUsage({ tokens: 3 } as never)).toThrow(/Unknown usage bucket "tokens"/);
    expect(() => makeUsage({ inputTokens: { value: 1, provenance: 'guessed' as never } })).toThrow(
      /provenance/,
    );
  });

  it('adds bucket by bucket, keeping the weakest provenance', () => {
    const sum = addUsage(
      makeUsage({ inputTokens: 5, outputTokens: 2 }),
      makeUsage({ inputTokens: 7 }, 'estimated'),
    );
    expect(sum.inputTokens).toEqual({ value: 12, provenance: 'estimated' });
    expect(sum.outputTokens).toEqual({ value: 2, provenance: 'reported' });
    expect(weakerProvenance('reported', 'recovered')).toBe('recovered');
    expect(weakerProvenance('estimated', 'recovered')).toBe('estimated');
  });

  it('totals input over uncached + cache read + cache write, output over text + reasoning', () => {
    const usage = makeUsage({
      inputTokens: 10,
      cacheReadTokens: 20,
      cacheWriteTokens: 30,
      outputTokens: 4,
      reasoningTokens: 6,
    });
    expect(totalInputTokens(usage)).toBe(60);
    expect(totalOutputTokens(usage)).toBe(10);
    expect(usageValues(usage).cacheWriteTokens).toBe(30);
  });

  it('re-tags provenance without touching counts', () => {
    const usage = withProvenance(makeUsage({ inputTokens: 3, outputTokens: 4 }), 'recovered', [
      'outputTokens',
    ]);
    expect(usage.inputTokens.provenance).toBe('reported');
    expect(usage.outputTokens).toEqual({ value: 4, provenance: 'recovered' });
  });

  it('addition is commutative and associative with empty usage as identity', () => {
    const provenance = fc.constantFrom('reported' as const, 'recovered' as const, 'estimated' as const);
    const usage = fc
      .tuple(
        fc.array(fc.nat({ max: 1_000_000 }), {
          minLength: USAGE_BUCKETS.length,
          maxLength: USAGE_BUCKETS.length,
        }),
        provenance,
      )
      .map(([values, tag]) =>
        makeUsage(Object.fromEntries(USAGE_BUCKETS.map((bucket, index) => [bucket, values[index]])), tag),
      );
    fc.assert(
      fc.property(usage, usage, usage, (a, b, c) => {
        expect(addUsage(a, b)).toEqual(addUsage(b, a));
        expect(addUsage(addUsage(a, b), c)).toEqual(addUsage(a, addUsage(b, c)));
        expect(addUsage(emptyUsage(), a)).toEqual(a);
      }),
    );
  });
});
