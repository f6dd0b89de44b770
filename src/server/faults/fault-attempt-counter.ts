/** How long a call without an Idempotency-Key is remembered after its last attempt, by default. */
export const defaultKeylessWindowMs = 5_000;

export interface FaultAttemptCounterOptions {
  /** How long a logical call (one Idempotency-Key) is remembered after its last attempt. Default 10 minutes. */
  ttlMs?: number;
  /**
   * How long a call without a key (counted by its request fingerprint) is remembered after its
   * last attempt. Short on purpose: a retry comes within seconds, while the same request sent
   * again later by another test is a new call. Default {@link defaultKeylessWindowMs} (5 s).
   */
  keylessWindowMs?: number;
  /** Most calls remembered, for each of keyed and keyless calls; the least recently attempted is forgotten first. Default 100,000. */
  maxEntries?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface AttemptEntry {
  attempts: number;
  expiresAt: number;
}

/** Attempt counts with one sliding time-to-live for all, so the least recent entry is always the first to expire. */
class AttemptWindow {
  // A Map iterates in insertion order; re-inserting on every attempt keeps it least-recent first.
  readonly #entries = new Map<string, AttemptEntry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  next(id: string, now: number): number {
    const existing = this.#entries.get(id);
    const attempts = existing !== undefined && existing.expiresAt > now ? existing.attempts + 1 : 1;
    this.#entries.delete(id);
    this.#entries.set(id, { attempts, expiresAt: now + this.#ttlMs });
    // Least recently attempted first: with one TTL for all, those are also the first to expire.
    for (const [oldId, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && entry.expiresAt > now) break;
      this.#entries.delete(oldId);
    }
    return attempts;
  }

  soFar(id: string, now: number): number {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.expiresAt > now ? entry.attempts : 0;
  }
}

/**
 * Counts the attempts of each logical call, so that `times=K` faults and chaos decisions see
 * attempt 1, 2, 3... of the same call, and billing records can say which attempt did the work.
 * A call is identified by (tenant, Idempotency-Key); a call without a key (as the official
 * openai-node client sends them) can be counted by a fingerprint of the request instead
 * (method, path, body, tenant: see {@link nextKeylessAttempt}), within a short sliding window,
 * since nothing else links its retries. Without either, every request is attempt 1.
 *
 * Memory is bounded: entries expire `ttlMs` (keyed) or `keylessWindowMs` (keyless) after their
 * last attempt and at most `maxEntries` of each are kept (least recently attempted evicted
 * first); a forgotten call starts again at 1.
 *
 * @example
 * const counter = new FaultAttemptCounter();
 * counter.nextAttempt('key_ab12', 'idem-1'); // 1
 * counter.nextAttempt('key_ab12', 'idem-1'); // 2
 * counter.nextAttempt('key_ab12', undefined); // 1
 * counter.nextKeylessAttempt('key_ab12', 'POST /v1/chat/completions 3f1c…'); // 1, then 2 for a retry within 5 s
 */
export class FaultAttemptCounter {
  readonly #now: () => number;
  readonly #keyed: AttemptWindow;
  readonly #keyless: AttemptWindow;

  constructor(options: FaultAttemptCounterOptions = {}) {
    const ttlMs = options.ttlMs ?? 10 * 60_000;
    const keylessWindowMs = options.keylessWindowMs ?? defaultKeylessWindowMs;
    const maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}.`);
    if (!(keylessWindowMs > 0))
      throw new RangeError(`keylessWindowMs must be positive, got ${keylessWindowMs}.`);
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}.`);
    }
    this.#keyed = new AttemptWindow(ttlMs, maxEntries);
    this.#keyless = new AttemptWindow(keylessWindowMs, maxEntries);
  }

  /** Records one more attempt of the call with this key and returns its number, starting at 1; always 1 without a key. */
  nextAttempt(tenant: string, idempotencyKey: string | undefined): number {
    if (idempotencyKey === undefined) return 1;
    return this.#keyed.next(entryId(tenant, idempotencyKey), this.#now());
  }

  /**
   * Records one more attempt of a call without a key, identified by `fingerprint` (e.g. a hash
   * of method, path and body), and returns its number: 1 unless the same tenant sent the same
   * fingerprint within the keyless window of its last attempt. Two identical requests in that
   * window count as one call, even from two clients; a key (or any change of body) keeps them apart.
   */
  nextKeylessAttempt(tenant: string, fingerprint: string): number {
    return this.#keyless.next(entryId(tenant, fingerprint), this.#now());
  }

  /** How many attempts of the call were counted so far (0 when unknown or expired), without counting one. */
  attemptsSoFar(tenant: string, idempotencyKey: string): number {
    return this.#keyed.soFar(entryId(tenant, idempotencyKey), this.#now());
  }

  /** Calls remembered right now, keyed and keyless (expired ones may linger until the next attempt sweeps them). */
  get size(): number {
    return this.#keyed.size + this.#keyless.size;
  }
}

/** Header values cannot hold a newline, so it cannot be part of a tenant id or a key. */
function entryId(tenant: string, idempotencyKey: string): string {
  return `${tenant}\n${idempotencyKey}`;
}
