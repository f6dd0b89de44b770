import type { RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';

/**
 * Per-call options, the last argument of every resource method. Each one overrides the
 * client's option of the same name for this call. They are checked when the call is made: one
 * the SDK cannot use rejects the call with an `InvalidOptionError` (code `invalid_option`).
 *
 * @example
 * await client.chat.completions.create(params, {
 *   timeout: 2_000, deadline: 10_000, maxRetries: 4, tags: { team: 'search' },
 *   signal: AbortSignal.timeout(15_000), headers: { 'x-team': 'search' },
 * });
 */
export interface RequestOptions {
  /** Aborts the call (every attempt, and the wait between them); the call rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds per attempt, overriding the client's `timeout`. */
  timeout?: number | undefined;
  /** Milliseconds for the whole call across attempts and waits; each attempt's timeout is cut to what is left. */
  deadline?: number | undefined;
  /** Extra headers for this call. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** Replaces the client's retry policy for this call. */
  retryPolicy?: RetryPolicy | undefined;
  /** Called before each retry of this call (after the client's own `onRetry`). */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** The idempotency key of this call, the same on every attempt; a UUID v4 when omitted. */
  idempotencyKey?: string | undefined;
  /** Ledger tags of this call, merged over the client's `tags` (and budget scopes `tag:<key>=<value>`). */
  tags?: Readonly<Record<string, string>> | undefined;
  /** The most bytes read from this call's response (a stream: all its connections), overriding the client's `maxResponseBytes`. */
  maxResponseBytes?: number | undefined;
}

/**
 * Options of `chat.completions.stream()` and `completions.stream()`.
 *
 * @example
 * const stream = await client.chat.completions.stream(params, { firstTokenTimeout: 5_000, idleTimeout: 10_000 });
 */
export interface StreamRequestOptions extends RequestOptions {
  /** Milliseconds from sending the request to the first data event; a stall before it is retried. */
  firstTokenTimeout?: number | undefined;
  /** Milliseconds allowed between data events (keep-alive comments do not count). */
  idleTimeout?: number | undefined;
  /** Reconnections (with `Last-Event-ID` and the same idempotency key) allowed after the stream breaks. Default 3. */
  maxResumes?: number | undefined;
}

/** Which model version an OIP call addresses. */
export interface VersionedRequestOptions extends RequestOptions {
  version?: string | undefined;
}
