import type { IdempotencyBegin, IdempotencyStoreOptions, StoredResponse } from './idempotency-types.js';

interface Waiter {
  resolve(result: IdempotencyBegin): void;
}

interface PendingEntry {
  state: 'pending';
  fingerprint: string;
  waiters: Set<Waiter>;
}

interface CompletedEntry {
  state: 'completed';
  fingerprint: string;
  stored: StoredResponse;
  bytes: number;
  expiresAt: number;
}

type Entry = PendingEntry | CompletedEntry;

/** 408, 429 and 5xx say "try again", so they must not become the call's final answer. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function sizeOf(id: string, stored: StoredResponse): number {
  let bytes = stored.body.length + Buffer.byteLength(id) + Buffer.byteLength(stored.requestId) + 64;
  for (const [name, value] of Object.entries(stored.headers)) bytes += name.length + Buffer.byteLength(value);
  return bytes;
}

/**
 * Remembers the answer to each (tenant, Idempotency-Key) so that a retried POST gets the stored
 * response instead of running (and billing) again. `begin` says what to do with a request:
 * run it (`new`, then `complete` or `fail` — one of them must be called), `replay` a stored
 * answer, refuse a `conflict` (same key, other body: 409 `idempotency_key_reused`), or wait for
 * a concurrent duplicate that is still running (`in-progress`).
 *
 * Only final answers are kept: a 5xx, 408 or 429 (including injected faults) is dropped as if the
 * attempt had failed, so the retry runs again. Memory is bounded by count and bytes (least
 * recently used evicted first) and entries expire `ttlMs` after they completed.
 *
 * @example
 * const store = new IdempotencyStore({ ttlMs: 86_400_000, maxEntries: 10_000, maxBytes: 64 * 2 ** 20 });
 * let begun = store.begin(tenant, key, bodyFingerprint(body));
 * while (begun.kind === 'in-progress') begun = await begun.wait(context.signal);
 * if (begun.kind === 'conflict') throw new HttpError(409, '…', { code: 'idempotency_key_reused' });
 * if (begun.kind === 'replay') return replay(begun.stored);
 * try { const response = await run(); begun.complete(toStored(response)); return response; }
 * catch (error) { begun.fail(); throw error; }
 */
export class IdempotencyStore {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  // Insertion order is recency order: a replay re-inserts its entry at the end.
  readonly #entries = new Map<string, Entry>();
  #completedCount = 0;
  #bytes = 0;
  #lastSweep: number;

  constructor(options: IdempotencyStoreOptions) {
    for (const name of ['ttlMs', 'maxEntries', 'maxBytes'] as const) {
      const value = options[name];
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}.`);
    }
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
    this.#lastSweep = this.#now();
  }

  /** Decides what to do with a request carrying `key`; see the class comment. */
  begin(tenant: string, key: string, bodyFingerprint: string): IdempotencyBegin {
    const id = `${tenant}\n${key}`; // header values cannot hold a newline
    const entry = this.#live(id);
    if (entry !== undefined && entry.fingerprint !== bodyFingerprint) return { kind: 'conflict' };
    if (entry?.state === 'completed') {
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      return { kind: 'replay', stored: entry.stored };
    }
    if (entry?.state === 'pending')
      return { kind: 'in-progress', wait: (signal) => this.#wait(entry, signal) };

    const pending: PendingEntry = { state: 'pending', fingerprint: bodyFingerprint, waiters: new Set() };
    this.#entries.set(id, pending);
    let settled = false;
    const release = () => {
      if (this.#entries.get(id) === pending) this.#entries.delete(id);
      // Each waiter begins afresh in arrival order: the first runs the call, the others wait on it.
      for (const waiter of pending.waiters) waiter.resolve(this.begin(tenant, key, bodyFingerprint));
    };
    return {
      kind: 'new',
      complete: (stored) => {
        if (settled) return false;
        settled = true;
        if (isRetryableStatus(stored.status)) {
          release();
          return false;
        }
        const kept = this.#keep(id, pending, stored);
        for (const waiter of pending.waiters) waiter.resolve({ kind: 'replay', stored });
        return kept;
      },
      fail: () => {
        if (settled) return;
        settled = true;
        release();
      },
    };
  }

  /** Completed answers held right now. */
  get size(): number {
    return this.#completedCount;
  }

  /** Bytes held by completed answers (bodies, headers and keys). */
  get bytes(): number {
    return this.#bytes;
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry?.state === 'completed' && entry.expiresAt <= this.#now()) {
      this.#remove(id, entry);
      return undefined;
    }
    return entry;
  }

  #wait(entry: PendingEntry, signal: AbortSignal | undefined): Promise<IdempotencyBegin> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        // A waiter that left must not be handed the call to run: nobody would finish it.
        entry.waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      entry.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #keep(id: string, pending: PendingEntry, stored: StoredResponse): boolean {
    const bytes = sizeOf(id, stored);
    if (this.#entries.get(id) === pending) this.#entries.delete(id);
    // An answer bigger than the whole budget is served to the waiters but cannot be remembered.
    if (bytes > this.#maxBytes) return false;
    const now = this.#now();
    const completed: CompletedEntry = {
      state: 'completed',
      fingerprint: pending.fingerprint,
      stored,
      bytes,
      expiresAt: now + this.#ttlMs,
    };
    this.#entries.set(id, completed);
    this.#completedCount++;
    this.#bytes += bytes;
    this.#sweep(now);
    for (const [otherId, entry] of this.#entries) {
      if (this.#completedCount <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      if (entry.state === 'completed') this.#remove(otherId, entry);
    }
    return this.#entries.get(id) === completed;
  }

  /** Drops expired answers; runs at most once per TTL, so its cost is spread over many requests. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#ttlMs) return;
    this.#lastSweep = now;
    for (const [id, entry] of this.#entries) {
      if (entry.state === 'completed' && entry.expiresAt <= now) this.#remove(id, entry);
    }
  }

  #remove(id: string, entry: CompletedEntry): void {
    this.#entries.delete(id);
    this.#completedCount--;
    this.#bytes -= entry.bytes;
  }
}
