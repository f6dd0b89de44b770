import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AiaasError, apiErrorFor, ConnectionError, TimeoutError } from '../../../src/errors/index.js';
import {
  type AttemptContext,
  defaultRetryPolicy,
  RetryThrottle,
  runWithRetry,
  serverPacingDelay,
} from '../../../src/retry/index.js';
import { scripted } from './scripted-attempts.js';
import { virtualClock } from './virtual-clock.js';

// What a retry costs the origin's shared bucket: nothing when the server paced it (a 429 or 503
// that said how long to wait, and a wait at least that long), `timeoutRetryCost` after a
// timeout, `retryCost` after any other failure.

const status = (code: number, headers: Record<string, string> = {}) =>
  apiErrorFor(`Status ${code}.`, { status: code, headers });
const paced429 = () => status(429, { 'retry-after-ms': '20' });

/** The tokens one failure then a retry takes from a full bucket of 100 (the success after it is not counted). */
async function retryCostOf(error: AiaasError, policy = defaultRetryPolicy()): Promise<number> {
  const clock = virtualClock();
  const throttle = new RetryThrottle({ maxTokens: 100 });
  let tokensAtRetry = -1;
  const attempt = async (context: AttemptContext) => {
    if (context.attempt === 1) throw error;
    tokensAtRetry = throttle.tokens;
    return 'ok';
  };
  await runWithRetry(attempt, { throttle, policy, sleep: clock.sleep, now: clock.now });
  return 100 - tokensAtRetry;
}

describe('serverPacingDelay', () => {
  it('is the wait a 429 or 503 asked for, and undefined for a zero wait, another status or no header', () => {
    const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(serverPacingDelay(paced429(), now)).toBe(20);
    expect(serverPacingDelay(status(503, { 'retry-after': '2' }), now)).toBe(2_000);
    expect(serverPacingDelay(status(503, { 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(serverPacingDelay(status(429, { 'retry-after-ms': '0' }), now)).toBeUndefined();
    expect(
      serverPacingDelay(status(503, { 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }), now),
    ).toBeUndefined();
    expect(serverPacingDelay(status(500, { 'retry-after-ms': '20' }), now)).toBeUndefined();
    expect(serverPacingDelay(status(503), now)).toBeUndefined();
    expect(serverPacingDelay(new ConnectionError('refused'), now)).toBeUndefined();
  });
});

describe('runWithRetry charges the throttle per retry', () => {
  it('a paced 429 or 503 costs nothing; a bare 429, a bare 503, a zero wait, a 500 or a refused connection cost 5; a timeout 10', async () => {
    expect(await retryCostOf(paced429())).toBe(0);
    expect(await retryCostOf(status(503, { 'retry-after': '1' }))).toBe(0);
    expect(await retryCostOf(status(429))).toBe(5);
    expect(await retryCostOf(status(503))).toBe(5);
    expect(await retryCostOf(status(503, { 'retry-after-ms': '0' }))).toBe(5);
    expect(await retryCostOf(status(500, { 'retry-after-ms': '20' }))).toBe(5);
    expect(
      await retryCostOf(new ConnectionError('refused', { code: 'ECONNREFUSED', phase: 'connect' })),
    ).toBe(5);
    expect(await retryCostOf(new TimeoutError('slow', { phase: 'headers', timeoutMs: 10 }))).toBe(10);
  });

  it('charges a paced answer when the policy waits less than the server asked', async () => {
    const impatient = { shouldRetry: () => true, delay: () => 5 };
    expect(await retryCostOf(paced429(), impatient)).toBe(5);
    const patient = { shouldRetry: () => true, delay: () => 20 };
    expect(await retryCostOf(paced429(), patient)).toBe(0);
  });

  it('retries paced answers from an empty bucket, where a bare failure is throttled', async () => {
    const throttle = new RetryThrottle({ maxTokens: 10 });
    throttle.tryTake(10);
    const clock = virtualClock();
    const paced = scripted([paced429(), paced429()]);
    await expect(runWithRetry(paced.attempt, { throttle, ...clock })).resolves.toBe('ok');
    expect(paced.contexts).toHaveLength(3);
    expect(clock.sleeps).toEqual([20, 20]);
    const bare = scripted([status(503)]);
    await expect(runWithRetry(bare.attempt, { throttle, ...clock })).rejects.toMatchObject({
      attempts: 1,
      retryStopReason: 'throttled',
    });
  });

  it('gives back the last charged retry cost when the call then succeeds', async () => {
    const throttle = new RetryThrottle({ maxTokens: 100 });
    const { attempt } = scripted([
      new TimeoutError('slow', { phase: 'headers', timeoutMs: 10 }),
      status(503),
    ]);
    await runWithRetry(attempt, { throttle, ...virtualClock() });
    // 10 for the retry after the timeout, 5 for the one after the 503; the success returns 5.
    expect(throttle.tokens).toBe(100 - 10 - 5 + 5);
  });

  // The bound the integration tests rely on, over random storms: `calls` concurrent calls that
  // always fail take every retry they may until the bucket is dry, and not one more.
  it('N calls failing at once make exactly N + min(N × maxRetries, floor(maxTokens / retryCost)) attempts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 10, max: 300 }),
        fc.integer({ min: 1, max: 10 }),
        async (calls, maxRetries, maxTokens, retryCost) => {
          const throttle = new RetryThrottle({ maxTokens, retryCost, timeoutRetryCost: 10 });
          const clock = virtualClock();
          let attempts = 0;
          const failing = async () => {
            attempts++;
            throw status(503);
          };
          const outcomes = await Promise.allSettled(
            Array.from({ length: calls }, () => runWithRetry(failing, { maxRetries, throttle, ...clock })),
          );
          expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
          expect(attempts).toBe(calls + Math.min(calls * maxRetries, Math.floor(maxTokens / retryCost)));
        },
      ),
      { numRuns: 60 },
    );
  });
});
