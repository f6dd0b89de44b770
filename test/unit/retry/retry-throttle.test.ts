import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryThrottle, RetryThrottleRegistry } from '../../../src/retry/index.js';

describe('RetryThrottle', () => {
  it('defaults to the AWS standard retry mode: 500 tokens, a retry costs 5, after a timeout 10, a success gives 1', () => {
    const throttle = new RetryThrottle();
    expect(throttle).toMatchObject({ maxTokens: 500, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 });
    expect(throttle.tokens).toBe(500);
    expect(throttle.retryCostAfter(false)).toBe(5);
    expect(throttle.retryCostAfter(true)).toBe(10);
  });

  it('grants floor(500 / 5) = 100 retries from a full bucket, then refuses without taking anything', () => {
    const throttle = new RetryThrottle();
    let granted = 0;
    while (throttle.tryTake(throttle.retryCostAfter(false))) granted++;
    expect(granted).toBe(100);
    expect(throttle.tokens).toBe(0);
    expect(throttle.tryTake(5)).toBe(false);
    expect(throttle.tokens).toBe(0);
  });

  it('refuses a retry whose cost is not all there: 7 tokens pay a retry (5) but not one after a timeout (10)', () => {
    const throttle = new RetryThrottle({ maxTokens: 17 });
    expect(throttle.tryTake(10)).toBe(true);
    expect(throttle.tokens).toBe(7);
    expect(throttle.tryTake(throttle.retryCostAfter(true))).toBe(false);
    expect(throttle.tokens).toBe(7);
    expect(throttle.tryTake(throttle.retryCostAfter(false))).toBe(true);
    expect(throttle.tokens).toBe(2);
  });

  it('a first-attempt success gives back 1, a success after a retry gives back that retry cost, never above the max', () => {
    const throttle = new RetryThrottle();
    throttle.tryTake(10);
    throttle.tryTake(5);
    expect(throttle.tokens).toBe(485);
    throttle.recordSuccess();
    expect(throttle.tokens).toBe(486);
    throttle.recordSuccess(10);
    expect(throttle.tokens).toBe(496);
    throttle.recordSuccess(10);
    expect(throttle.tokens).toBe(500);
    throttle.recordSuccess();
    expect(throttle.tokens).toBe(500);
  });

  // A model of the bucket in plain arithmetic, driven by random configurations and sequences.
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('retry' as const), timedOut: fc.boolean() }),
    fc.record({
      kind: fc.constant('success' as const),
      afterRetry: fc.option(fc.boolean(), { nil: undefined }),
    }),
  );
  const configuration = fc
    .record({ maxTokens: fc.integer({ min: 1, max: 2_000 }), successRefund: fc.integer({ min: 0, max: 20 }) })
    .chain((bucket) =>
      fc.record({
        maxTokens: fc.constant(bucket.maxTokens),
        successRefund: fc.constant(bucket.successRefund),
        retryCost: fc.integer({ min: 1, max: bucket.maxTokens }),
        timeoutRetryCost: fc.integer({ min: 1, max: bucket.maxTokens }),
      }),
    );

  it('stays a whole number in [0, maxTokens] and grants a retry exactly when its cost is left', () => {
    fc.assert(
      fc.property(configuration, fc.array(operation, { maxLength: 400 }), (options, operations) => {
        const throttle = new RetryThrottle(options);
        let expected = options.maxTokens;
        let lastRetryCost: number | undefined;
        for (const step of operations) {
          if (step.kind === 'retry') {
            const cost = step.timedOut ? options.timeoutRetryCost : options.retryCost;
            const granted = throttle.tryTake(throttle.retryCostAfter(step.timedOut));
            expect(granted).toBe(expected >= cost);
            if (granted) {
              expected -= cost;
              lastRetryCost = cost;
            }
          } else {
            const refundOf = step.afterRetry === true ? lastRetryCost : undefined;
            throttle.recordSuccess(refundOf);
            expected = Math.min(options.maxTokens, expected + (refundOf ?? options.successRefund));
          }
          expect(throttle.tokens).toBe(expected);
          expect(Number.isInteger(throttle.tokens)).toBe(true);
          expect(throttle.tokens).toBeGreaterThanOrEqual(0);
          expect(throttle.tokens).toBeLessThanOrEqual(options.maxTokens);
        }
      }),
    );
  });

  it('without a success, grants at most floor(maxTokens / retryCost) retries, exactly that many when more are asked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 2_000 }),
        (maxTokens, cost, asked) => {
          fc.pre(cost <= maxTokens);
          const throttle = new RetryThrottle({ maxTokens, retryCost: cost, timeoutRetryCost: cost });
          let granted = 0;
          for (let retry = 0; retry < asked; retry++)
            if (throttle.tryTake(throttle.retryCostAfter(false))) granted++;
          expect(granted).toBe(Math.min(asked, Math.floor(maxTokens / cost)));
        },
      ),
    );
  });

  it('rejects options that are not whole numbers of tokens in range, naming the option, the value and what is allowed', () => {
    expect(() => new RetryThrottle({ maxTokens: 0 })).toThrow(
      new RangeError('`maxTokens` must be a whole number of tokens ≥ 1; got 0.'),
    );
    expect(() => new RetryThrottle({ maxTokens: 2.5 })).toThrow(
      /`maxTokens` must be a whole number .* got 2\.5\./,
    );
    expect(() => new RetryThrottle({ retryCost: 0 })).toThrow(
      /`retryCost` must be a whole number of tokens from 1 to `maxTokens` \(500\).* got 0\./,
    );
    expect(() => new RetryThrottle({ retryCost: 501 })).toThrow(/`retryCost` .* got 501\./);
    // The default timeout cost (10) does not fit a bucket of 8: the message says it was the default.
    expect(() => new RetryThrottle({ maxTokens: 8 })).toThrow(
      /`timeoutRetryCost` must be a whole number of tokens from 1 to `maxTokens` \(8\), or such a retry could never be afforded; got 10 \(its default\)\./,
    );
    expect(() => new RetryThrottle({ successRefund: -1 })).toThrow(
      '`successRefund` must be a whole number of tokens ≥ 0; got -1.',
    );
    expect(() => new RetryThrottleRegistry({ maxTokens: Number.NaN })).toThrow(/`maxTokens` .* got NaN\./);
    expect(new RetryThrottle({ maxTokens: 10, successRefund: 0 }).successRefund).toBe(0);
  });
});

describe('RetryThrottleRegistry', () => {
  it('shares one bucket per origin and keeps origins apart', () => {
    const registry = new RetryThrottleRegistry({ maxTokens: 40 });
    const chat = registry.for('https://api.example.com/v1/chat/completions');
    expect(registry.for('https://api.example.com:443/v1/embeddings')).toBe(chat);
    expect(registry.for('https://api.example.com')).toBe(chat);
    const other = registry.for('http://api.example.com');
    expect(other).not.toBe(chat);
    chat.tryTake(chat.retryCost);
    expect(chat.tokens).toBe(35);
    expect(other.tokens).toBe(40);
    expect(registry.for('not a url')).toBe(registry.for('not a url'));
  });
});
