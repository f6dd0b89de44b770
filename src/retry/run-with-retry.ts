import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { AiaasError, annotateRetryOutcome, type RetryStopReason } from '../errors/aiaas-error.js';
import { AbortError } from '../errors/transport-errors.js';
import { abortableSleep } from './abortable-sleep.js';
import { CallDeadline } from './call-deadline.js';
import type { AttemptContext, RetryOptions } from './retry-options.js';
import { isProviderFailure, retryOutcomeSentence } from './retry-outcome.js';
import { defaultRetryPolicy, type RetryDecision } from './retry-policy.js';

function validMaxRetries(maxRetries: number): number {
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0) && maxRetries !== Number.POSITIVE_INFINITY) {
    throw new RangeError(`\`maxRetries\` must be a whole number ≥ 0, got ${maxRetries}.`);
  }
  return maxRetries;
}

function asDecision(answer: boolean | RetryDecision): RetryDecision {
  return typeof answer === 'boolean' ? { retry: answer } : answer;
}

/** A policy's NaN or negative delay means "no wait"; an infinite one waits until the deadline or an abort stops it. */
function cleanDelay(delayMs: number): number {
  return Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
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
  const now = options.now ?? Date.now;
  const policy = options.policy ?? defaultRetryPolicy({ now });
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const { signal: callerSignal, throttle } = options;
  const deadline = new CallDeadline(options.deadline, callerSignal, now);
  const deadlineField = deadline.deadlineAt === undefined ? {} : { deadlineAt: deadline.deadlineAt };
  let attempts = 0;
  let decision: RetryDecision = { retry: false };
  const failureSummaries: string[] = [];
  let foreign: { value: unknown } | undefined;

  // Every ending gets its `attempts` and `retryStopReason`; only failures at the provider (and
  // the caller's abort) get the sentence, which is about the network and retrying.
  const finish = <E extends AiaasError>(error: E, reason: RetryStopReason, detail: string): E =>
    annotateRetryOutcome(
      error,
      attempts,
      reason,
      reason === 'aborted' || isProviderFailure(error)
        ? retryOutcomeSentence(reason, attempts, detail)
        : undefined,
    );

  const endAsAborted = (error: unknown, detail: string): AbortError =>
    finish(
      error instanceof AbortError ? error : new AbortError(undefined, { cause: error }),
      'aborted',
      detail,
    );
  const passedDuring = (attemptNumber: number): string =>
    `the deadline of ${deadline.deadlineMs} ms passed during attempt ${attemptNumber}`;

  const callAttempt = async (attemptNumber: number): Promise<T> => {
    attempts = attemptNumber;
    try {
      const value = await attempt({
        attempt: attemptNumber,
        idempotencyKey: options.idempotencyKey,
        signal: deadline.signal,
        ...deadlineField,
      });
      throttle?.recordSuccess();
      return value;
    } catch (error) {
      if (AiaasError.isInstance(error)) throw error;
      if (callerSignal?.aborted) throw new AbortError(undefined, { cause: error });
      if (deadline.expired) throw deadline.timeoutError(error);
      // p-retry's own AbortError is the one way to make it stop without calling any hook.
      foreign = { value: error };
      throw new StopRetrying('a foreign error ends the call');
    }
  };

  // Runs on every failure (before p-retry looks at the retries left): the stops that do not
  // depend on retries remaining, so a 400 on the last attempt still says "not retryable".
  const afterFailure = (error: AiaasError, attemptNumber: number): void => {
    if (error.retryStopReason !== undefined) throw error;
    if (callerSignal?.aborted) throw endAsAborted(error, '');
    if (deadline.expired) {
      // The transport reports our deadline signal as a caller abort; it was not the caller's.
      const cut = error instanceof AbortError ? deadline.timeoutError(error) : error;
      throw finish(cut, 'deadline', passedDuring(attemptNumber));
    }
    decision = asDecision(policy.shouldRetry(error, attemptNumber));
    const explanation = decision.explanation ?? error.message;
    failureSummaries.push(error.status === undefined ? explanation : `status ${error.status}`);
    if (!decision.retry && (decision.reason ?? 'not-retryable') === 'not-retryable') {
      throw finish(
        error,
        'not-retryable',
        decision.explanation ?? 'the retry policy declined to retry this error',
      );
    }
    throttle?.recordFailure();
    if (deadline.hasPassed()) throw finish(error, 'deadline', passedDuring(attemptNumber));
  };

  // Runs only when a retry is left. p-retry cannot wait a server-dictated time, nor refuse a
  // wait that would pass the deadline, so its own sleep is off (`minTimeout: 0`) and the
  // policy's delay is slept here, after the last checks.
  const beforeRetry = async (error: AiaasError, attemptNumber: number): Promise<boolean> => {
    if (!decision.retry) throw finish(error, decision.reason ?? 'not-retryable', decision.explanation ?? '');
    const delayMs = cleanDelay(policy.delay(error, attemptNumber, random));
    if (deadline.wouldPass(delayMs)) {
      const detail = `waiting ${Math.round(delayMs)} ms before attempt ${attemptNumber + 1} would pass the deadline of ${deadline.deadlineMs} ms`;
      throw finish(error, 'deadline', detail);
    }
    if (throttle !== undefined && !throttle.isRetryAllowed()) {
      const detail = `retries to ${options.origin ?? 'this origin'} were throttled, because too many recent attempts failed (retry tokens ${throttle.tokens} of ${throttle.maxTokens}, retrying needs more than half)`;
      throw finish(error, 'throttled', detail);
    }
    options.onRetry?.({ error, attempt: attemptNumber, delayMs });
    if (delayMs > 0) {
      try {
        await sleep(delayMs, callerSignal);
      } catch (sleepError) {
        if (!callerSignal?.aborted) throw sleepError;
        const aborted = new AbortError('The call was aborted by the caller while waiting to retry.', {
          cause: error,
        });
        throw endAsAborted(
          aborted,
          `during the ${Math.round(delayMs)} ms wait before attempt ${attemptNumber + 1}`,
        );
      }
    }
    return true;
  };

  // What p-retry does when its first attempt fails (with `minTimeout: 0`, no `maxRetryTime`, and
  // every retry consumed): returns when attempt 2 should run, throws what would end the call.
  const afterFirstFailure = async (thrown: unknown): Promise<void> => {
    const error =
      thrown instanceof Error
        ? thrown
        : new TypeError(`Non-error was thrown: "${String(thrown)}". You should only throw errors.`);
    if (error instanceof StopRetrying) throw (error as StopRetrying & { originalError: Error }).originalError;
    await afterFailure(error as AiaasError, 1);
    if (maxRetries <= 0) throw error;
    // p-retry never retries a TypeError other than a network one; no error that gets here is
    // one (afterFailure ends the call for everything but an aiaas error).
    if (error instanceof TypeError) throw error;
    if (!(await beforeRetry(error as AiaasError, 1))) throw error;
    callerSignal?.throwIfAborted();
  };

  // p-retry counts the retries, checks the caller's signal between attempts and calls the
  // hooks. Its own wait is a fixed exponential of `minTimeout` that can neither follow a
  // server's Retry-After nor stop short of a deadline, so it is set to 0 and the policy's
  // delay is slept in `shouldRetry`. It also turns a thrown non-Error into a TypeError, which
  // is why foreign errors leave through its AbortError and are rethrown from `foreign`.
  //
  // Most calls succeed at once, so attempt 1 runs here, outside p-retry, with the checks
  // p-retry makes around an attempt; p-retry is entered only after a failure, for attempt 2 on.
  try {
    // p-retry's check before the first attempt: the signal's reason leaves unhandled.
    callerSignal?.throwIfAborted();
    let failure: unknown;
    try {
      const value = await callAttempt(1);
      // p-retry's check after a successful attempt: the reason counts as the attempt's failure.
      callerSignal?.throwIfAborted();
      return value;
    } catch (error) {
      failure = error;
    }
    await afterFirstFailure(failure);
    return await pRetry((attemptNumber) => callAttempt(attemptNumber + 1), {
      retries: maxRetries - 1,
      minTimeout: 0,
      signal: callerSignal,
      onFailedAttempt: ({ error, attemptNumber }) => afterFailure(error as AiaasError, attemptNumber + 1),
      shouldRetry: ({ error, attemptNumber }) => beforeRetry(error as AiaasError, attemptNumber + 1),
    });
  } catch (error) {
    if (foreign !== undefined) throw foreign.value;
    if (!AiaasError.isInstance(error)) {
      // p-retry rethrows the signal's reason when the caller aborts between its own checks.
      if (callerSignal?.aborted) throw endAsAborted(error, '');
      throw error;
    }
    if (error.retryStopReason !== undefined) throw error;
    if (callerSignal?.aborted) throw endAsAborted(error, '');
    // The only error p-retry rethrows untouched is the last one, once the retries are used up.
    const last = failureSummaries.at(-1);
    const same = failureSummaries.every((entry) => entry === last) && error.status !== undefined;
    throw finish(
      error,
      'max-retries',
      same
        ? `the server kept answering ${error.status}`
        : `the last attempt failed: ${decision.explanation ?? error.message}`,
    );
  } finally {
    deadline.dispose();
  }
}
