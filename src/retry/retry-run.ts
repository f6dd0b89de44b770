import { AbortError as StopRetrying } from 'p-retry';
import { AiaasError, annotateRetryOutcome, type RetryStopReason } from '../errors/aiaas-error.js';
import { AbortError, TimeoutError } from '../errors/transport-errors.js';
import { abortableSleep } from './abortable-sleep.js';
import { CallDeadline } from './call-deadline.js';
import { serverPacingDelay } from './retry-classifier.js';
import type { AttemptContext, RetryOptions } from './retry-options.js';
import { isProviderFailure, retryOutcomeSentence } from './retry-outcome.js';
import { defaultRetryPolicy, type RetryDecision, type RetryPolicy } from './retry-policy.js';
import type { RetryThrottle } from './retry-throttle.js';

/** Before any failure: nothing decided, so nothing to retry. */
const NO_DECISION: RetryDecision = Object.freeze({ retry: false });

function asDecision(answer: boolean | RetryDecision): RetryDecision {
  return typeof answer === 'boolean' ? { retry: answer } : answer;
}

/** A policy's NaN or negative delay means "no wait"; an infinite one waits until the deadline or an abort stops it. */
function cleanDelay(delayMs: number): number {
  return Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
}

/** The state of one call's attempts; its methods are the hooks (one object per call, no closures). */
export class RetryRun<T> {
  readonly deadline: CallDeadline;
  readonly #attempt: (context: AttemptContext) => Promise<T>;
  readonly #options: RetryOptions;
  readonly #maxRetries: number;
  readonly #now: () => number;
  #policy: RetryPolicy | undefined;
  #attempts = 0;
  #decision: RetryDecision = NO_DECISION;
  /** One line per failed attempt; made at the first failure (most calls have none). */
  #failureSummaries: string[] | undefined;
  #foreign: { value: unknown } | undefined;
  /** The tokens the call's last charged retry took from the throttle; given back if the call succeeds. */
  #lastRetryCost: number | undefined;

  constructor(attempt: (context: AttemptContext) => Promise<T>, options: RetryOptions, maxRetries: number) {
    this.#attempt = attempt;
    this.#options = options;
    this.#maxRetries = maxRetries;
    this.#now = options.now ?? Date.now;
    this.deadline = new CallDeadline(options.deadline, options.signal, this.#now);
  }

  /** The policy is needed only once an attempt fails. */
  get #retryPolicy(): RetryPolicy {
    this.#policy ??= this.#options.policy ?? defaultRetryPolicy({ now: this.#now });
    return this.#policy;
  }

  async callAttempt(attemptNumber: number): Promise<T> {
    let value: T;
    try {
      value = await this.startAttempt(attemptNumber);
    } catch (error) {
      throw this.attemptError(error);
    }
    this.attemptSucceeded();
    return value;
  }

  /**
   * Runs attempt `attemptNumber` (the first one is awaited by `runWithRetry` itself, without
   * {@link callAttempt}'s promise around it); its failure goes through {@link attemptError}.
   */
  startAttempt(attemptNumber: number): Promise<T> {
    this.#attempts = attemptNumber;
    return this.#attempt(new RetryAttemptContext(attemptNumber, this.#options.idempotencyKey, this.deadline));
  }

  attemptSucceeded(): void {
    this.#options.throttle?.recordSuccess(this.#lastRetryCost);
  }

  /** What a failed attempt throws on: aiaas errors as they are, anything else stops the retries. */
  attemptError(error: unknown): unknown {
    if (AiaasError.isInstance(error)) return error;
    if (this.#options.signal?.aborted) return new AbortError(undefined, { cause: error });
    if (this.deadline.expired) return this.deadline.timeoutError(error);
    // p-retry's own AbortError is the one way to make it stop without calling any hook.
    this.#foreign = { value: error };
    return new StopRetrying('a foreign error ends the call');
  }

  // Every ending gets its `attempts` and `retryStopReason`; only failures at the provider (and
  // the caller's abort) get the sentence, which is about the network and retrying.
  #finish<E extends AiaasError>(error: E, reason: RetryStopReason, detail: string): E {
    return annotateRetryOutcome(
      error,
      this.#attempts,
      reason,
      reason === 'aborted' || isProviderFailure(error)
        ? retryOutcomeSentence(reason, this.#attempts, detail)
        : undefined,
    );
  }

  #endAsAborted(error: unknown, detail: string): AbortError {
    return this.#finish(
      error instanceof AbortError ? error : new AbortError(undefined, { cause: error }),
      'aborted',
      detail,
    );
  }

  #passedDuring(attemptNumber: number): string {
    return `the deadline of ${this.deadline.deadlineMs} ms passed during attempt ${attemptNumber}`;
  }

  // Runs on every failure (before p-retry looks at the retries left): the stops that do not
  // depend on retries remaining, so a 400 on the last attempt still says "not retryable".
  afterFailure(error: AiaasError, attemptNumber: number): void {
    const { deadline } = this;
    if (error.retryStopReason !== undefined) throw error;
    if (this.#options.signal?.aborted) throw this.#endAsAborted(error, '');
    if (deadline.expired) {
      // The transport reports our deadline signal as a caller abort; it was not the caller's.
      const cut = error instanceof AbortError ? deadline.timeoutError(error) : error;
      throw this.#finish(cut, 'deadline', this.#passedDuring(attemptNumber));
    }
    const decision = asDecision(this.#retryPolicy.shouldRetry(error, attemptNumber));
    this.#decision = decision;
    const explanation = decision.explanation ?? error.message;
    const summary = error.status === undefined ? explanation : `status ${error.status}`;
    if (this.#failureSummaries === undefined) this.#failureSummaries = [summary];
    else this.#failureSummaries.push(summary);
    if (!decision.retry && (decision.reason ?? 'not-retryable') === 'not-retryable') {
      throw this.#finish(
        error,
        'not-retryable',
        decision.explanation ?? 'the retry policy declined to retry this error',
      );
    }
    if (deadline.hasPassed()) throw this.#finish(error, 'deadline', this.#passedDuring(attemptNumber));
  }

  // Runs only when a retry is left. p-retry cannot wait a server-dictated time, nor refuse a
  // wait that would pass the deadline, so its own sleep is off (`minTimeout: 0`) and the
  // policy's delay is slept here, after the last checks.
  async beforeRetry(error: AiaasError, attemptNumber: number): Promise<boolean> {
    const decision = this.#decision;
    const { deadline } = this;
    const options = this.#options;
    const callerSignal = options.signal;
    if (!decision.retry)
      throw this.#finish(error, decision.reason ?? 'not-retryable', decision.explanation ?? '');
    const delayMs = cleanDelay(this.#retryPolicy.delay(error, attemptNumber, options.random ?? Math.random));
    if (deadline.wouldPass(delayMs)) {
      const detail = `waiting ${Math.round(delayMs)} ms before attempt ${attemptNumber + 1} would pass the deadline of ${deadline.deadlineMs} ms`;
      throw this.#finish(error, 'deadline', detail);
    }
    const { throttle } = options;
    if (throttle !== undefined) this.#chargeThrottle(throttle, error, delayMs);
    options.onRetry?.({ error, attempt: attemptNumber, delayMs });
    if (delayMs > 0) {
      try {
        await (options.sleep ?? abortableSleep)(delayMs, callerSignal);
      } catch (sleepError) {
        if (!callerSignal?.aborted) throw sleepError;
        const aborted = new AbortError('The call was aborted by the caller while waiting to retry.', {
          cause: error,
        });
        throw this.#endAsAborted(
          aborted,
          `during the ${Math.round(delayMs)} ms wait before attempt ${attemptNumber + 1}`,
        );
      }
    }
    return true;
  }

  // A retry is charged to the origin's shared bucket unless the server paced it: a 429 or 503
  // that said when to come back, and a wait at least that long. Without tokens, the call ends.
  #chargeThrottle(throttle: RetryThrottle, error: AiaasError, delayMs: number): void {
    const pacedMs = serverPacingDelay(error, this.#now);
    if (pacedMs !== undefined && delayMs >= pacedMs) return;
    const cost = throttle.retryCostAfter(error instanceof TimeoutError);
    if (throttle.tryTake(cost)) {
      this.#lastRetryCost = cost;
      return;
    }
    const detail = `retries to ${this.#options.origin ?? 'this origin'} were throttled, because too many recent attempts failed (${throttle.tokens} of ${throttle.maxTokens} retry tokens left, this retry costs ${cost})`;
    throw this.#finish(error, 'throttled', detail);
  }

  // What p-retry does when its first attempt fails (with `minTimeout: 0`, no `maxRetryTime`, and
  // every retry consumed): returns when attempt 2 should run, throws what would end the call.
  async afterFirstFailure(thrown: unknown): Promise<void> {
    const error =
      thrown instanceof Error
        ? thrown
        : new TypeError(`Non-error was thrown: "${String(thrown)}". You should only throw errors.`);
    if (error instanceof StopRetrying) throw (error as StopRetrying & { originalError: Error }).originalError;
    await this.afterFailure(error as AiaasError, 1);
    if (this.#maxRetries <= 0) throw error;
    // p-retry never retries a TypeError other than a network one; no error that gets here is
    // one (afterFailure ends the call for everything but an aiaas error).
    if (error instanceof TypeError) throw error;
    if (!(await this.beforeRetry(error as AiaasError, 1))) throw error;
    this.#options.signal?.throwIfAborted();
  }

  /** The error that ends the call, annotated with why it stopped. */
  ending(error: unknown): unknown {
    if (this.#foreign !== undefined) return this.#foreign.value;
    const callerSignal = this.#options.signal;
    if (!AiaasError.isInstance(error)) {
      // p-retry rethrows the signal's reason when the caller aborts between its own checks.
      if (callerSignal?.aborted) return this.#endAsAborted(error, '');
      return error;
    }
    if (error.retryStopReason !== undefined) return error;
    if (callerSignal?.aborted) return this.#endAsAborted(error, '');
    // The only error p-retry rethrows untouched is the last one, once the retries are used up.
    const summaries = this.#failureSummaries ?? [];
    const last = summaries.at(-1);
    const same = summaries.every((entry) => entry === last) && error.status !== undefined;
    const decision = this.#decision;
    return this.#finish(
      error,
      'max-retries',
      same
        ? `the server kept answering ${error.status}`
        : `the last attempt failed: ${decision.explanation ?? error.message}`,
    );
  }
}

/** What one attempt is told; `signal` is made on first use (see {@link CallDeadline.signal}). */
class RetryAttemptContext implements AttemptContext {
  readonly attempt: number;
  readonly idempotencyKey: string | undefined;
  readonly cancelSignal: AbortSignal | undefined;
  readonly deadlineAt: number | undefined;
  readonly #deadline: CallDeadline;

  constructor(attempt: number, idempotencyKey: string | undefined, deadline: CallDeadline) {
    this.attempt = attempt;
    this.idempotencyKey = idempotencyKey;
    this.cancelSignal = deadline.cancelSignal;
    this.deadlineAt = deadline.deadlineAt;
    this.#deadline = deadline;
  }

  get signal(): AbortSignal {
    return this.#deadline.signal;
  }
}
