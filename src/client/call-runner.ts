import type { AttemptContext, RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { RetryThrottleRegistry } from '../retry/retry-throttle.js';
import { runWithRetry } from '../retry/run-with-retry.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';

/** What one attempt of a logical call gets from the runner. */
export interface CallAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** One key per logical call, the same on every attempt (and on a stream's resume). */
  readonly idempotencyKey: string | undefined;
  /** Fires when the caller aborts or the call's deadline passes. */
  readonly signal: AbortSignal;
  /**
   * `signal` when something can fire it (a caller signal or a deadline), else undefined: a
   * request given no signal needs no abort plumbing. Reading `signal` makes one on demand.
   */
  readonly cancelSignal?: AbortSignal | undefined;
  /** Milliseconds for this attempt: the per-attempt `timeout`, cut to what is left of the deadline (0: none). */
  readonly timeout: number;
}

/** How one logical call is run: the client's settings merged with the call's own. */
export interface CallRunOptions {
  /** Named in logs, e.g. `chat.completions.create`. */
  readonly operation: string;
  readonly maxRetries: number;
  /** Milliseconds per attempt; 0 means no per-attempt limit. */
  readonly timeout: number;
  /** Milliseconds for the whole call across attempts and waits. */
  readonly deadline: number | undefined;
  readonly policy: RetryPolicy;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly idempotencyKey: string | undefined;
}

/** Runs the attempts of one logical call until one succeeds or the retry layer stops. */
export type CallRunner = <Result>(
  attempt: (context: CallAttempt) => Promise<Result>,
  options: CallRunOptions,
) => Promise<Result>;

export interface RetryCallRunnerSettings {
  /** Where the calls go; the throttle is shared per origin. */
  readonly baseURL: string;
  /** One per client, so every call to a failing provider draws on the same retry tokens. */
  readonly throttles: RetryThrottleRegistry;
  readonly logger: SdkLogger;
}

/**
 * The time an attempt may take: its own timeout, but never past the call's deadline, so the
 * last attempt fails as a timeout of its own instead of being cut mid-flight.
 */
function attemptTimeout(timeout: number, deadlineAt: number | undefined): number {
  if (deadlineAt === undefined) return timeout;
  const left = Math.max(1, Math.ceil(deadlineAt - Date.now()));
  return timeout === 0 ? left : Math.min(timeout, left);
}

/**
 * THE place where a call's attempts run: the retry layer (`runWithRetry`) with the client's
 * throttle. Resources and providers only ever see a {@link CallAttempt}.
 *
 * @example
 * const runCall = createRetryCallRunner({ baseURL, throttles: new RetryThrottleRegistry(), logger });
 * const result = await runCall((attempt) => provider.doChat(request, { ...attempt }), runOptions);
 */
export function createRetryCallRunner(settings: RetryCallRunnerSettings): CallRunner {
  const { throttles, logger } = settings;
  const origin = new URL(settings.baseURL).origin;
  // The origin never changes, so neither does its throttle: looked up once, not per call.
  const throttle = throttles.for(origin);
  // The transport's lines carry the call's operation and attempt number only when they are logged.
  const logsAttempts = logger.enabled('info');
  return (attempt, options) =>
    runWithRetry(
      logsAttempts
        ? (context) =>
            logger.withFields(
              {
                operation: options.operation,
                attempt: context.attempt,
                idempotencyKey: options.idempotencyKey,
              },
              () => attempt(new RunnerAttempt(context, options.timeout)),
            )
        : (context) => attempt(new RunnerAttempt(context, options.timeout)),
      {
        maxRetries: options.maxRetries,
        policy: options.policy,
        signal: options.signal,
        deadline: options.deadline,
        idempotencyKey: options.idempotencyKey,
        throttle,
        origin,
        onRetry: (event) => {
          if (logger.enabled('info')) {
            const delayMs = Math.round(event.delayMs);
            logger.info(`${options.operation} attempt ${event.attempt} failed; retrying in ${delayMs} ms`, {
              operation: options.operation,
              attempt: event.attempt,
              delayMs,
              idempotencyKey: options.idempotencyKey,
              retryable: event.error.retryable,
              ...errorFields(event.error),
            });
          }
          options.onRetry?.(event);
        },
      },
    );
}

/** A {@link CallAttempt} over the retry layer's context; `signal` stays lazy (see `CallDeadline`). */
class RunnerAttempt implements CallAttempt {
  readonly attempt: number;
  readonly idempotencyKey: string | undefined;
  readonly cancelSignal: AbortSignal | undefined;
  readonly timeout: number;
  readonly #context: AttemptContext;

  constructor(context: AttemptContext, timeout: number) {
    this.attempt = context.attempt;
    this.idempotencyKey = context.idempotencyKey;
    this.cancelSignal = context.cancelSignal;
    this.timeout = attemptTimeout(timeout, context.deadlineAt);
    this.#context = context;
  }

  get signal(): AbortSignal {
    return this.#context.signal;
  }
}
