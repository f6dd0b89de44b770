import type { AiaasError } from '../errors/aiaas-error.js';
import type { Sleep } from './abortable-sleep.js';
import type { RetryPolicy } from './retry-policy.js';
import type { RetryThrottle } from './retry-throttle.js';

/** What one attempt is told: its number, the call's idempotency key, its signal and the deadline. */
export interface AttemptContext {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** The same on every attempt of the call; send it as the idempotency header. */
  readonly idempotencyKey: string | undefined;
  /** Fires when the caller aborts or the call's deadline passes; pass it to the request. */
  readonly signal: AbortSignal;
  /**
   * `signal` when something can fire it (a caller signal or a deadline); undefined when nothing
   * can, so an attempt can skip abort plumbing. Reading `signal` makes one on demand.
   */
  readonly cancelSignal?: AbortSignal | undefined;
  /** When the whole call must be over (`now()` clock, ms); bound the attempt's timeout by it. */
  readonly deadlineAt?: number | undefined;
}

/** What `onRetry` is told before the runner waits: the error, the attempt that failed (1-based), the wait. */
export interface RetryEvent {
  readonly error: AiaasError;
  readonly attempt: number;
  readonly delayMs: number;
}

export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /** Decides what is retried and how long to wait. Default `defaultRetryPolicy()`. */
  policy?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
  /** Milliseconds for the whole call, across attempts and waits. */
  deadline?: number | undefined;
  /** Called before each wait; an exception thrown here ends the call with that exception. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Resolve it with `resolveIdempotencyKey(method, userKey)`; handed unchanged to every attempt. */
  idempotencyKey?: string | undefined;
  /** A number in [0, 1) for backoff jitter. Default `Math.random`; seed it in tests. */
  random?: (() => number) | undefined;
  /** The origin's shared retry token bucket (from a `RetryThrottleRegistry`). */
  throttle?: RetryThrottle | undefined;
  /** The origin, named in the message when retries are throttled. */
  origin?: string | undefined;
  sleep?: Sleep | undefined;
  /** The clock for the deadline and `retry-after` dates. Default `Date.now`. */
  now?: (() => number) | undefined;
}
