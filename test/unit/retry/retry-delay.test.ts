import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, serverRetryDelay } from '../../../src/retry/index.js';

describe('backoffDelay', () => {
  it('is always within [0, min(cap, base × 2^(attempt − 1))], whatever the random source returns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ noNaN: false }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        (attempt, draw, baseDelay, maxDelay) => {
          const delay = backoffDelay(attempt, () => draw, { baseDelay, maxDelay });
          expect(delay).toBeGreaterThanOrEqual(0);
          const ceiling = baseDelay === 0 ? 0 : Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('uses full jitter: random 0 gives 0, random 0.5 gives half the ceiling, and the ceiling doubles up to the cap', () => {
    const options = { baseDelay: 500, maxDelay: 8_000 };
    expect(backoffDelay(1, () => 0, options)).toBe(0);
    expect(backoffDelay(1, () => 0.5, options)).toBe(250);
    expect(backoffDelay(2, () => 0.5, options)).toBe(500);
    expect(backoffDelay(5, () => 0.5, options)).toBe(4_000);
    expect(backoffDelay(6, () => 0.5, options)).toBe(4_000);
    expect(backoffDelay(60, () => 0.999, options)).toBeCloseTo(7_992);
  });

  it('defaults to base 0.5 s and cap 8 s', () => {
    expect(backoffDelay(1, () => 0.999_999)).toBeCloseTo(500, 2);
    expect(backoffDelay(30, () => 0.999_999)).toBeCloseTo(8_000, 1);
  });

  it('rejects a negative or infinite setting', () => {
    expect(() => backoffDelay(1, Math.random, { baseDelay: -1 })).toThrow(RangeError);
    expect(() => backoffDelay(1, Math.random, { maxDelay: Number.POSITIVE_INFINITY })).toThrow(/maxDelay/);
  });
});

describe('serverRetryDelay', () => {
  const now = () => Date.parse('2025-03-01T12:00:00Z');

  it('honours retry-after-ms exactly, for any non-negative amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (milliseconds) => {
        expect(serverRetryDelay({ 'retry-after-ms': String(milliseconds) })).toBe(milliseconds);
      }),
    );
  });

  it('honours retry-after in seconds, and prefers retry-after-ms when both are sent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (seconds, milliseconds) => {
          expect(serverRetryDelay({ 'retry-after': String(seconds) })).toBe(seconds * 1000);
          expect(
            serverRetryDelay({ 'retry-after': String(seconds), 'retry-after-ms': String(milliseconds) }),
          ).toBe(milliseconds);
        },
      ),
    );
    expect(serverRetryDelay({ 'retry-after': '1.5' })).toBe(1500);
  });

  it('turns an HTTP date into the time left from the injected clock, and a past date into 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 }), (offsetSeconds) => {
        const date = new Date(now() + offsetSeconds * 1000).toUTCString();
        expect(serverRetryDelay({ 'retry-after': date }, now)).toBe(Math.max(0, offsetSeconds * 1000));
      }),
    );
  });

  it('ignores missing or unreadable values, falling back from a bad retry-after-ms to retry-after', () => {
    expect(serverRetryDelay(undefined)).toBeUndefined();
    expect(serverRetryDelay({})).toBeUndefined();
    expect(serverRetryDelay({ 'retry-after': 'soon' })).toBeUndefined();
    expect(serverRetryDelay({ 'retry-after-ms': '-5' })).toBeUndefined();
    expect(serverRetryDelay({ 'retry-after-ms': 'abc', 'retry-after': '3' })).toBe(3000);
  });
});
