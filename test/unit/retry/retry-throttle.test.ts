import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryThrottle, RetryThrottleRegistry } from '../../../src/retry/index.js';

describe('RetryThrottle', () => {
  it('starts full, costs 1 token per failure and allows retries only above half', () => {
    const throttle = new RetryThrottle();
    expect(throttle.tokens).toBe(10);
    const allowed: boolean[] = [];
    for (let failure = 1; failure <= 6; failure++) {
      throttle.recordFailure();
      allowed.push(throttle.isRetryAllowed());
    }
    // 9, 8, 7, 6 are above 5; 5 and 4 are not.
    expect(allowed).toEqual([true, true, true, true, false, false]);
    expect(throttle.tokens).toBe(4);
  });

  it('refunds tokenRatio per success without float drift, and never above maxTokens', () => {
    const throttle = new RetryThrottle({ maxTokens: 10, tokenRatio: 0.1 });
    for (let failure = 0; failure < 5; failure++) throttle.recordFailure();
    expect(throttle.isRetryAllowed()).toBe(false);
    for (let success = 0; success < 10; success++) throttle.recordSuccess();
    // Ten refunds of 0.1 make exactly one token (with floats it would be 5.999999…).
    expect(throttle.tokens).toBe(6);
    expect(throttle.isRetryAllowed()).toBe(true);
    for (let success = 0; success < 100; success++) throttle.recordSuccess();
    expect(throttle.tokens).toBe(10);
  });

  it('never leaves [0, maxTokens] whatever the sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (outcomes, maxTokens) => {
          const throttle = new RetryThrottle({ maxTokens, tokenRatio: 0.3 });
          for (const success of outcomes) {
            if (success) throttle.recordSuccess();
            else throttle.recordFailure();
            expect(throttle.tokens).toBeGreaterThanOrEqual(0);
            expect(throttle.tokens).toBeLessThanOrEqual(maxTokens);
            expect(throttle.isRetryAllowed()).toBe(throttle.tokens > maxTokens / 2);
          }
        },
      ),
    );
  });

  it('rejects a bucket that could never allow a retry', () => {
    expect(() => new RetryThrottle({ maxTokens: 0 })).toThrow(RangeError);
    expect(() => new RetryThrottle({ tokenRatio: -0.1 })).toThrow(/tokenRatio/);
    expect(() => new RetryThrottleRegistry({ maxTokens: Number.NaN })).toThrow(/maxTokens/);
  });
});

describe('RetryThrottleRegistry', () => {
  it('shares one bucket per origin and keeps origins apart', () => {
    const registry = new RetryThrottleRegistry({ maxTokens: 4 });
    const chat = registry.for('https://api.example.com/v1/chat/completions');
    expect(registry.for('https://api.example.com:443/v1/embeddings')).toBe(chat);
    expect(registry.for('https://api.example.com')).toBe(chat);
    const other = registry.for('http://api.example.com');
    expect(other).not.toBe(chat);
    chat.recordFailure();
    expect(chat.tokens).toBe(3);
    expect(other.tokens).toBe(4);
    expect(registry.for('not a url')).toBe(registry.for('not a url'));
  });
});
