import pRetry from 'p-retry';
import type { AiaasError } from '../errors/aiaas-error.js';
import type { AttemptContext, RetryOptions } from './retry-options.js';
import { RetryRun } from './retry-run.js';

function validMaxRetries(maxRetries: number): number {
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0) && maxRetries !== Number.POSITIVE_INFINITY) {
    throw new RangeError(`\`maxRetries\` must be a whole number ≥ 0, got ${maxRetries}.`);
  }
  return maxRetries;
}

/**
 * Runs `attempt` until it succeeds or the policy, `maxRetries`, the deadline, the throttle or
 * the caller says stop. The error that ends the call is annotated (`attempts`,
 * `retryStopReason`) and its message says why. Only aiaas errors are classified: anything
 * else an attempt throws is not retried and is rethrown as is, untouched.
 *
 * @example
 * const idempotencyKey = resolveIdempotencyKey('POST', undefined);
 * const result = await runWithRetry(
 *   ({ signal, idempotencyKey }) => transport.send({ ...request, headers: idempotencyHeaders('POST', idempotencyKey) }, { signal }),
 *   { maxRetries: 2, deadline: 30_000, idempotencyKey, throttle: registry.for(baseURL) },
 * );
 */
export async function runWithRetry<T>(
  attempt: (context: AttemptContext) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = validMaxRetries(options.maxRetries ?? 2);
  const run = new RetryRun(attempt, options, maxRetries);
  const callerSignal = options.signal;
  // p-retry counts the retries, checks the caller's signal between attempts and calls the
  // hooks. Its own wait is a fixed exponential of `minTimeout` that can neither follow a
  // server's Retry-After nor stop short of a deadline, so it is set to 0 and the policy's
  // delay is slept in `shouldRetry`. It also turns a thrown non-Error into a TypeError, which
  // is why foreign errors leave through its AbortError and are rethrown from `foreign`.
  //
  // Most calls succeed at once, so attempt 1 runs here, outside p-retry, with the checks
  // p-retry makes around an attempt; p-retry (and every closure it needs) is set up only after
  // a failure, for attempt 2 on.
  try {
    // p-retry's check before the first attempt: the signal's reason leaves unhandled.
    callerSignal?.throwIfAborted();
    let failure: unknown;
    try {
      // `run.callAttempt(1)` spelled out: one promise fewer on every call's path.
      let value: T;
      try {
        value = await run.startAttempt(1);
      } catch (error) {
        throw run.attemptError(error);
      }
      run.attemptSucceeded();
      // p-retry's check after a successful attempt: the reason counts as the attempt's failure.
      callerSignal?.throwIfAborted();
      return value;
    } catch (error) {
      failure = error;
    }
    await run.afterFirstFailure(failure);
    return await pRetry((attemptNumber) => run.callAttempt(attemptNumber + 1), {
      retries: maxRetries - 1,
      minTimeout: 0,
      signal: callerSignal,
      onFailedAttempt: ({ error, attemptNumber }) => run.afterFailure(error as AiaasError, attemptNumber + 1),
      shouldRetry: ({ error, attemptNumber }) => run.beforeRetry(error as AiaasError, attemptNumber + 1),
    });
  } catch (error) {
    throw run.ending(error);
  } finally {
    run.deadline.dispose();
  }
}
