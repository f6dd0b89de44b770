import { StreamReplayBuffer } from './stream-replay-buffer.js';

export interface StreamReplayStoreOptions {
  /** Most events held per stream. Default 10,000. */
  maxEventsPerStream?: number;
  /** Most bytes held per stream. Default 1 MiB. */
  maxBytesPerStream?: number;
  /** Most streams held; the least recently used is forgotten first. Default 1,000. */
  maxStreams?: number;
  /** Most bytes held over all streams. Default 64 MiB. */
  maxBytes?: number;
  /** A stream is forgotten this long after it was last written or read. Default 10 minutes. */
  ttlMs?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface Slot {
  buffer: StreamReplayBuffer;
  bytes: number;
  expiresAt: number;
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/**
 * The replay buffers of all streaming responses, one per (tenant, Idempotency-Key), within
 * overall bounds: a count and a byte budget (least recently used stream forgotten first) and a
 * TTL since last use. A forgotten stream cannot be resumed (`get` returns undefined and the
 * server answers 409/410); its writer may keep appending to the buffer it holds, unseen.
 *
 * @example
 * const store = new StreamReplayStore();
 * const buffer = store.open(tenant, idempotencyKey); // while the first attempt streams
 * // ... later, a request with the same key and `Last-Event-ID: 7`:
 * const replay = store.get(tenant, idempotencyKey)?.eventsAfter(7);
 */
export class StreamReplayStore {
  readonly #maxEventsPerStream: number;
  readonly #maxBytesPerStream: number;
  readonly #maxStreams: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // Insertion order is recency order: every use re-inserts the slot at the end.
  readonly #slots = new Map<string, Slot>();
  #bytes = 0;

  constructor(options: StreamReplayStoreOptions = {}) {
    this.#maxEventsPerStream = positive(options.maxEventsPerStream ?? 10_000, 'maxEventsPerStream');
    this.#maxBytesPerStream = positive(options.maxBytesPerStream ?? 1024 * 1024, 'maxBytesPerStream');
    this.#maxStreams = positive(options.maxStreams ?? 1000, 'maxStreams');
    this.#maxBytes = positive(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
    this.#ttlMs = positive(options.ttlMs ?? 10 * 60_000, 'ttlMs');
    this.#now = options.now ?? Date.now;
  }

  /** Starts recording a stream for (tenant, key), replacing any earlier recording of that key. */
  open(tenant: string, key: string): StreamReplayBuffer {
    const id = slotId(tenant, key);
    this.#forget(id);
    const slot: Slot = {
      buffer: new StreamReplayBuffer({
        maxEvents: this.#maxEventsPerStream,
        maxBytes: this.#maxBytesPerStream,
        onResize: (delta) => this.#resized(id, slot, delta),
      }),
      bytes: 0,
      expiresAt: this.#now() + this.#ttlMs,
    };
    this.#slots.set(id, slot);
    this.#evict(this.#now());
    return slot.buffer;
  }

  /** The recording of (tenant, key), or undefined when there is none (never recorded, forgotten, expired). */
  get(tenant: string, key: string): StreamReplayBuffer | undefined {
    const id = slotId(tenant, key);
    const slot = this.#slots.get(id);
    if (slot === undefined) return undefined;
    const now = this.#now();
    if (slot.expiresAt <= now) {
      this.#forget(id);
      return undefined;
    }
    this.#touch(id, slot, now);
    return slot.buffer;
  }

  /** Streams held right now. */
  get size(): number {
    return this.#slots.size;
  }

  /** Bytes held over all streams. */
  get bytes(): number {
    return this.#bytes;
  }

  #resized(id: string, slot: Slot, delta: number): void {
    // A forgotten stream's writer may still append; its bytes are no longer ours to count.
    if (this.#slots.get(id) !== slot) return;
    slot.bytes += delta;
    this.#bytes += delta;
    const now = this.#now();
    this.#touch(id, slot, now);
    this.#evict(now);
  }

  #touch(id: string, slot: Slot, now: number): void {
    slot.expiresAt = now + this.#ttlMs;
    this.#slots.delete(id);
    this.#slots.set(id, slot);
  }

  #evict(now: number): void {
    // Least recently used first; with one TTL for all, also the first to expire.
    for (const [id, slot] of this.#slots) {
      const over = this.#slots.size > this.#maxStreams || this.#bytes > this.#maxBytes;
      if (!over && slot.expiresAt > now) break;
      // The stream being written now is the newest; it is dropped only if it alone is over budget.
      this.#forget(id);
    }
  }

  #forget(id: string): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    this.#slots.delete(id);
    this.#bytes -= slot.bytes;
  }
}

/** Header values cannot hold a newline, so it cannot be part of a tenant id or a key. */
function slotId(tenant: string, key: string): string {
  return `${tenant}\n${key}`;
}
