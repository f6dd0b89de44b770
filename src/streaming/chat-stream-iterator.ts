import { AbortError } from '../errors/index.js';
import type { ChatEventSource } from './chat-event-reader.js';
import type { ChatStreamEvent } from './chat-stream-events.js';

/** How the iteration reports the stream's end to its {@link ChatStream}. */
export interface ChatStreamEnding {
  /** The stream reached its end. */
  completed(): void;
  /** The stream failed, or the consumer left before the end. */
  failed(error: unknown): void;
}

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The one iteration of a stream's events. Written by hand rather than as an async generator:
 * an event already read is handed over with one resolved promise, where a generator's `yield`
 * costs several microtask turns — per event, on streams of thousands.
 *
 * @example
 * const events = new ChatStreamIterator(source, { completed: () => {}, failed: () => {} });
 * for await (const event of events) console.log(event.type);
 */
export class ChatStreamIterator implements AsyncIterableIterator<ChatStreamEvent, undefined> {
  readonly #source: ChatEventSource;
  readonly #ending: ChatStreamEnding;
  #finished = false;
  // A read waiting for the network; a `next()` called meanwhile waits behind it, as with a generator.
  #waiting: Promise<IteratorResult<ChatStreamEvent, undefined>> | undefined;

  constructor(source: ChatEventSource, ending: ChatStreamEnding) {
    this.#source = source;
    this.#ending = ending;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    if (this.#waiting !== undefined) {
      const again = () => this.next();
      return this.#waiting.then(again, again);
    }
    if (this.#finished) return Promise.resolve(done);
    const event = this.#source.takeReady();
    if (event !== undefined) return Promise.resolve({ done: false, value: event });
    const waiting = this.#wait();
    this.#waiting = waiting;
    return waiting;
  }

  /** The consumer left (`break`, a cancelled ReadableStream): closes the connection at once. */
  return(): Promise<IteratorReturnResult<undefined>> {
    this.#leave();
    return Promise.resolve(done);
  }

  throw(error?: unknown): Promise<IteratorReturnResult<undefined>> {
    this.#leave();
    return Promise.reject(error);
  }

  async #wait(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    try {
      const event = await this.#source.next();
      if (this.#finished) return done;
      if (event !== undefined) return { done: false, value: event };
      this.#finished = true;
      this.#ending.completed();
      return done;
    } catch (error) {
      // Left while this read waited: the consumer is gone, and its leaving is the stream's ending.
      if (this.#finished) return done;
      this.#finished = true;
      this.#ending.failed(error);
      throw error;
    } finally {
      this.#waiting = undefined;
    }
  }

  #leave(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#source.close();
    this.#ending.failed(
      new AbortError('The stream was closed before it finished (the consumer stopped reading).'),
    );
  }
}
