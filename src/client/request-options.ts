/**
 * Per-call options, the last argument of every resource method.
 *
 * @example
 * await client.models.list({ timeout: 2_000, signal: AbortSignal.timeout(5_000), headers: { 'x-team': 'search' } });
 */
export interface RequestOptions {
  /** Aborts the call (every attempt); the call rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds per attempt, overriding the client's `timeout`. */
  timeout?: number | undefined;
  /** Extra headers for this call. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** The `Idempotency-Key` for this call; generated when omitted. */
  idempotencyKey?: string | undefined;
}

/** Which model version an OIP call addresses. */
export interface VersionedRequestOptions extends RequestOptions {
  version?: string | undefined;
}
