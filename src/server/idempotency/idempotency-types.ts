/**
 * A final answer kept for replay. For an event stream, `streamed` is true and `body` is empty:
 * the events themselves live in the stream replay buffer under the same (tenant, key).
 */
export interface StoredResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** The first attempt's `x-request-id`, sent again on every replay. */
  requestId: string;
  streamed?: boolean;
}

/** Run the request; exactly one of `complete` or `fail` must follow. */
export interface IdempotencyNew {
  kind: 'new';
  /**
   * Keeps the answer and replays it to waiting duplicates. A 5xx, 408 or 429 is not kept (it
   * acts as `fail`). Returns whether the answer is remembered for later replays.
   */
  complete(stored: StoredResponse): boolean;
  /** The attempt did not produce a final answer; the next request with this key runs again. */
  fail(): void;
}

/** The same key and body completed before: answer with `stored` and do not run or bill again. */
export interface IdempotencyReplay {
  kind: 'replay';
  stored: StoredResponse;
}

/** The same key was used with another body: answer 409 `idempotency_key_reused`. */
export interface IdempotencyConflict {
  kind: 'conflict';
}

/**
 * A request with the same key and body is running now. `wait` resolves when it ends, with what
 * to do then: usually `replay`, or `new` when the first attempt failed (this request then runs),
 * or `in-progress` again when another waiter took over. An aborted `signal` rejects the wait.
 */
export interface IdempotencyInProgress {
  kind: 'in-progress';
  wait(signal?: AbortSignal): Promise<IdempotencyBegin>;
}

export type IdempotencyBegin =
  | IdempotencyNew
  | IdempotencyReplay
  | IdempotencyConflict
  | IdempotencyInProgress;

export interface IdempotencyStoreOptions {
  /** How long a completed answer is replayed. */
  ttlMs: number;
  /** Most completed answers kept. */
  maxEntries: number;
  /** Most bytes kept (bodies, headers and keys of completed answers). */
  maxBytes: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}
