export interface FaultAttemptCounterOptions {
  /** How long a logical call is remembered after its last attempt. Default 10 minutes. */
  ttlMs?: number;
  /** Most logical calls remembered; the least recently attempted is forgotten first. Default 100,000. */
  maxEntries?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface AttemptEntry {
  attempts: number;
  expiresAt: number;
}

/**
 * Counts the attempts of each logical call, identified by (tenant, Idempotency-Key), so that
 * `times=K` faults and chaos decisions see attempt 1, 2, 3... of the same call, and billing
 * records can say which attempt did the work. A request without a key is always attempt 1:
 * nothing links its retries together.
 *
 * Memory is bounded: entries expire `ttlMs` after their last attempt and at most `maxEntries`
 * are kept (least recently attempted evicted first); a forgotten call starts again at 1.
 *
 * @example
 * const counter = new FaultAttemptCounter();
 * counter.nextAttempt('key_ab12', 'idem-1'); // 1
 * counter.nextAttempt('key_ab12', 'idem-1'); // 2
 * counter.nextAttempt('key_ab12', undefined); // 1
 */
export class FaultAttemptCounter {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // A Map iterates in insertion order; re-inserting on every attempt keeps it least-recent first.
  readonly #entries = new Map<string, AttemptEntry>();

  constructor(options: FaultAttemptCounterOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${this.#ttlMs}.`);
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${this.#maxEntries}.`);
    }
  }

  /** Records one more attempt of the call and returns its number, starting at 1. */
  nextAttempt(tenant: string, idempotencyKey: string | undefined): number {
    if (idempotencyKey === undefined) return 1;
    const now = this.#now();
    const id = entryId(tenant, idempotencyKey);
    const existing = this.#entries.get(id);
    const attempts = existing !== undefined && existing.expiresAt > now ? existing.attempts + 1 : 1;
    this.#entries.delete(id);
    this.#entries.set(id, { attempts, expiresAt: now + this.#ttlMs });
    this.#evict(now);
    return attempts;
  }

  /** How many attempts of the call were counted so far (0 when unknown or expired), without counting one. */
  attemptsSoFar(tenant: string, idempotencyKey: string): number {
    const entry = this.#entries.get(entryId(tenant, idempotencyKey));
    return entry !== undefined && entry.expiresAt > this.#now() ? entry.attempts : 0;
  }

  /** Calls remembered right now (expired ones may linger until the next attempt sweeps them). */
  get size(): number {
    return this.#entries.size;
  }

  #evict(now: number): void {
    // Least recently attempted first: with one TTL for all, those are also the first to expire.
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && entry.expiresAt > now) break;
      this.#entries.delete(id);
    }
  }
}

/** Header values cannot hold a newline, so it cannot be part of a tenant id or a key. */
function entryId(tenant: string, idempotencyKey: string): string {
  return `${tenant}\n${idempotencyKey}`;
}
