import type { RetryStopReason } from '../errors/aiaas-error.js';
import { APIError } from '../errors/api-error.js';
import { classifyForRetry } from './retry-classifier.js';
import { type BackoffOptions, backoffDelay, serverRetryDelay } from './retry-delay.js';

/** The stop reasons a policy may give; the runner owns the others (limits, deadline, throttle, abort). */
export type PolicyStopReason = Extract<RetryStopReason, 'not-retryable' | 'server-delay-too-long'>;

/**
 * A policy's answer with its reasons. `reason` defaults to `not-retryable`; `explanation`
 * ends the error message, e.g. "the server answered 400, which a retry cannot fix".
 */
export interface RetryDecision {
  readonly retry: boolean;
  readonly reason?: PolicyStopReason;
  readonly explanation?: string;
}

/**
 * Decides whether a failed attempt is retried and how long to wait first. Replace it to change
 * either; the runner still enforces `maxRetries`, the deadline, the throttle and abort.
 *
 * @example
 * const onlyRateLimits: RetryPolicy = {
 *   shouldRetry: (error) => error instanceof RateLimitError,
 *   delay: (_error, attempt) => 1_000 * attempt,
 * };
 * await runWithRetry(send, { policy: onlyRateLimits, maxRetries: 5 });
 */
export interface RetryPolicy {
  /** `attempt` is the 1-based number of the attempt that just failed with `error`. */
  shouldRetry(error: unknown, attempt: number): boolean | RetryDecision;
  /** Milliseconds to wait before the attempt after `attempt`; `random` returns a number in [0, 1). */
  delay(error: unknown, attempt: number, random: () => number): number;
}

export interface DefaultRetryPolicyOptions extends BackoffOptions {
  /** A server asking to wait longer than this ends the retries instead. Default 60 000 ms. */
  readonly maxRetryDelay?: number;
  /** The clock used to read `retry-after` HTTP dates. Default `Date.now`. */
  readonly now?: () => number;
}

export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

function headersOf(error: unknown): Readonly<Record<string, string>> | undefined {
  return error instanceof APIError ? error.headers : undefined;
}

/**
 * The policy aiaas uses unless told otherwise: retry what {@link classifyForRetry} calls
 * retryable; wait what the server asked (`retry-after-ms`, then `retry-after`), else an
 * exponential backoff with full jitter; stop when the server asks for more than `maxRetryDelay`.
 *
 * @example
 * const policy = defaultRetryPolicy({ baseDelay: 250, maxDelay: 4_000, maxRetryDelay: 30_000 });
 * await runWithRetry(send, { policy });
 */
export function defaultRetryPolicy(options: DefaultRetryPolicyOptions = {}): RetryPolicy {
  const now = options.now ?? Date.now;
  const maxRetryDelay = options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY_MS;
  if (Number.isNaN(maxRetryDelay) || maxRetryDelay < 0) {
    throw new RangeError(`\`maxRetryDelay\` must be a number of milliseconds ≥ 0, got ${maxRetryDelay}.`);
  }
  const backoff: BackoffOptions = {
    ...(options.baseDelay === undefined ? {} : { baseDelay: options.baseDelay }),
    ...(options.maxDelay === undefined ? {} : { maxDelay: options.maxDelay }),
  };
  // Fail at construction, not on the first failure, when the backoff settings are invalid.
  backoffDelay(1, () => 0, backoff);

  return {
    shouldRetry(error) {
      const classification = classifyForRetry(error);
      if (!classification.retryable) {
        return { retry: false, reason: 'not-retryable', explanation: classification.explanation };
      }
      const asked = serverRetryDelay(headersOf(error), now);
      if (asked !== undefined && asked > maxRetryDelay) {
        return {
          retry: false,
          reason: 'server-delay-too-long',
          explanation: `the server asked to wait ${Math.round(asked)} ms before retrying, more than maxRetryDelay (${maxRetryDelay} ms)`,
        };
      }
      return { retry: true, explanation: classification.explanation };
    },
    delay(error, attempt, random) {
      // The server's delay is used as is (not capped by maxDelay): it knows when it will have
      // capacity, and coming back earlier would only earn another 429.
      return serverRetryDelay(headersOf(error), now) ?? backoffDelay(attempt, random, backoff);
    },
  };
}
