import { followReplay } from './follow-replay.js';
import {
  type ReplayEvent,
  type ReplayEvents,
  type ReplayGap,
  ReplayGapError,
  type ReplayListener,
  type ReplayState,
} from './replay-types.js';

export interface StreamReplayBufferOptions {
  /** Most events held; the oldest are dropped first. Default 10,000. */
  maxEvents?: number;
  /** Most bytes of event data held; the oldest events are dropped first. Default 1 MiB. */
  maxBytes?: number;
  /** Told how many bytes the buffer grew (positive) or shrank (negative) by; the store uses it. */
  onResize?: (deltaBytes: number) => void;
}

// An event costs its payload plus the object and the id around it.
const eventOverheadBytes = 32;

function sizeOf(event: ReplayEvent): number {
  return Buffer.byteLength(event.data) + eventOverheadBytes;
}

/**
 * The recorded events of one streaming response (one tenant, one Idempotency-Key), so that a
 * client that lost the connection can resume with `Last-Event-ID` and get exactly the events it
 * missed: the same text, the usage chunk, `[DONE]`. It holds the newest events within
 * `maxEvents` / `maxBytes`; a resume from further back is a {@link ReplayGap}, never wrong text.
 * While the generation still runs, `subscribe`/`follow` deliver new events as they are recorded.
 *
 * @example
 * const buffer = new StreamReplayBuffer();
 * buffer.append({ id: 1, data: '{"choices":[…]}' });
 * buffer.append({ id: 2, data: '[DONE]' });
 * buffer.complete();
 * buffer.eventsAfter(1); // { kind: 'events', events: [{ id: 2, data: '[DONE]' }], state: 'completed' }
 */
export class StreamReplayBuffer {
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly #onResize: (deltaBytes: number) => void;
  readonly #events: ReplayEvent[] = [];
  readonly #listeners = new Set<ReplayListener>();
  #head = 0; // index of the oldest held event; dropping moves it instead of shifting the array
  #bytes = 0;
  #lastEventId = 0;
  #lastDroppedId = 0;
  #state: ReplayState = 'running';

  constructor(options: StreamReplayBufferOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#onResize = options.onResize ?? (() => {});
    if (!Number.isSafeInteger(this.#maxEvents) || this.#maxEvents < 1) {
      throw new RangeError(`maxEvents must be a positive integer, got ${this.#maxEvents}.`);
    }
    if (!Number.isSafeInteger(this.#maxBytes) || this.#maxBytes < 1) {
      throw new RangeError(`maxBytes must be a positive integer, got ${this.#maxBytes}.`);
    }
  }

  get state(): ReplayState {
    return this.#state;
  }

  /** The newest id recorded, 0 before the first event. */
  get lastEventId(): number {
    return this.#lastEventId;
  }

  /** The oldest id still held, or undefined when nothing is held. */
  get firstAvailableId(): number | undefined {
    return this.#events[this.#head]?.id;
  }

  /** Bytes held, as counted against `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Records an event as it is written; ids must increase. */
  append(event: ReplayEvent): void {
    if (this.#state !== 'running') throw new Error(`Cannot append to a ${this.#state} stream.`);
    if (!Number.isSafeInteger(event.id) || event.id <= this.#lastEventId) {
      throw new RangeError(`Event ids must increase: got ${event.id} after ${this.#lastEventId}.`);
    }
    const recorded: ReplayEvent = { id: event.id, data: event.data };
    this.#events.push(recorded);
    this.#lastEventId = recorded.id;
    let delta = sizeOf(recorded);
    this.#bytes += delta;
    while (
      this.#events.length - this.#head > this.#maxEvents ||
      (this.#bytes > this.#maxBytes && this.#held > 1)
    ) {
      const dropped = this.#events[this.#head] as ReplayEvent;
      this.#head++;
      this.#lastDroppedId = dropped.id;
      this.#bytes -= sizeOf(dropped);
      delta -= sizeOf(dropped);
    }
    // Compacting once half the array is dead keeps dropping O(1) amortised.
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events.splice(0, this.#head);
      this.#head = 0;
    }
    this.#onResize(delta);
    for (const listener of [...this.#listeners]) listener.onEvent(recorded);
  }

  /** The generation ran to its end (after `[DONE]`): a resume now replays the rest and ends. */
  complete(): void {
    this.#end('completed');
  }

  /** The generation ended early (an error, an abort): a resume replays what exists, then ends. */
  fail(): void {
    this.#end('failed');
  }

  /** The events after `lastEventId` (0: from the start), or the gap that prevents an exact resume. */
  eventsAfter(lastEventId: number): ReplayEvents | ReplayGap {
    const gap = this.#gapAfter(lastEventId);
    if (gap !== undefined) return gap;
    return { kind: 'events', events: this.#heldAfter(lastEventId), state: this.#state };
  }

  /**
   * Delivers the held events after `afterId` at once, then each new event as it is recorded,
   * then the end. Returns the unsubscribe function. Throws {@link ReplayGapError} when the
   * events after `afterId` are not all held.
   */
  subscribe(afterId: number, listener: ReplayListener): () => void {
    const gap = this.#gapAfter(afterId);
    if (gap !== undefined) throw new ReplayGapError(gap);
    for (const event of this.#heldAfter(afterId)) listener.onEvent(event);
    if (this.#state !== 'running') {
      listener.onEnd(this.#state);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The events after `afterId` as an async iterator that follows the live generation until it
   * ends (check `state` afterwards to tell `completed` from `failed`). An aborted `signal` ends
   * it. A gap at the start, or a reader that falls further behind than the buffer holds, gets a
   * {@link ReplayGapError}.
   */
  follow(
    afterId: number,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ReplayEvent, void, undefined> {
    return followReplay(this, afterId, options.signal);
  }

  /** True for the error a reader gets when it fell behind what this buffer holds. */
  isGap(error: unknown): error is ReplayGapError {
    return error instanceof ReplayGapError;
  }

  get #held(): number {
    return this.#events.length - this.#head;
  }

  #gapAfter(lastEventId: number): ReplayGap | undefined {
    const reason =
      !Number.isSafeInteger(lastEventId) || lastEventId < 0 || lastEventId > this.#lastEventId
        ? 'ahead'
        : lastEventId < this.#lastDroppedId
          ? 'evicted'
          : undefined;
    if (reason === undefined) return undefined;
    return {
      kind: 'gap',
      reason,
      requestedAfterId: lastEventId,
      firstAvailableId: this.firstAvailableId,
      lastEventId: this.#lastEventId,
    };
  }

  #heldAfter(lastEventId: number): ReplayEvent[] {
    const result: ReplayEvent[] = [];
    for (let index = this.#events.length - 1; index >= this.#head; index--) {
      const event = this.#events[index] as ReplayEvent;
      if (event.id <= lastEventId) break;
      result.push(event);
    }
    return result.reverse();
  }

  #end(state: 'completed' | 'failed'): void {
    if (this.#state !== 'running') return;
    this.#state = state;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.onEnd(state);
  }
}
