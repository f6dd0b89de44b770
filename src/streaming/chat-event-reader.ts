import { type AiaasError, StreamError } from '../errors/index.js';
import type { ChatStreamEvent, StreamUsage } from './chat-stream-events.js';
import { type Reconnect, type ReconnectDelay, ResumableStream } from './resumable-stream.js';
import { StreamAccumulator } from './stream-accumulator.js';
import type { EventMapper, StreamDialect } from './stream-dialect.js';
import { isConnectionBreak, withProgress } from './stream-failure.js';
import type { StreamProgress } from './stream-timeout-error.js';
import { abortErrorFrom, type StreamTimeoutOptions, StreamTimeouts } from './stream-timeouts.js';
import { estimateUsage, type TokenEstimator } from './usage-estimate.js';

export interface ChatEventReaderOptions extends StreamTimeoutOptions {
  signal: AbortSignal;
  requestId?: string | undefined;
  reconnect?: Reconnect | undefined;
  reconnectDelay?: ReconnectDelay | undefined;
  maxResumes?: number | undefined;
  abandonInitialBody?: (() => void) | undefined;
  estimateTokens?: TokenEstimator | undefined;
  promptTokens?: number | undefined;
  /** The most body bytes read over the whole stream (every resume included); default 256 MiB. */
  maxResponseBytes?: number | undefined;
}

/** What a {@link ChatStream} reads from: typed events, pulled one at a time. */
export interface ChatEventSource {
  readonly accumulator: StreamAccumulator;
  readonly resumed: number;
  readonly lastEventId: string | undefined;
  /** The next event, or undefined at the end. Throws the stream's typed error. */
  next(): Promise<ChatStreamEvent | undefined>;
  /**
   * The next event when it is already read, without a wait; undefined otherwise (nothing read
   * yet, the end, an error, an abort), and then `next()` says which. One network chunk holds
   * many events: this spares an await per event.
   */
  takeReady(): ChatStreamEvent | undefined;
  /** Stops reading and releases the body. */
  close(): void;
}

/**
 * The pull loop of one stream: reads a chunk only when no event is waiting, maps it, keeps
 * the accumulator up to date, enforces the timeouts, and decides how the stream ended
 * (complete, truncated, or broken) — adding estimated usage when the provider sent none.
 */
export class ChatEventReader<Item> implements ChatEventSource {
  readonly accumulator = new StreamAccumulator();
  readonly #options: ChatEventReaderOptions;
  readonly #dialect: StreamDialect<Item>;
  readonly #mapper: EventMapper<Item>;
  readonly #timeouts: StreamTimeouts;
  readonly #source: ResumableStream<Item>;
  #queue: ChatStreamEvent[] = [];
  // Events before it were handed out: an index, since shift() on a long queue copies it.
  #queueHead = 0;
  #ended = false;
  // Set by the signal's abort listener, which runs at once, so it never lags `signal.aborted`.
  #aborted = false;
  #failure: AiaasError | undefined;
  // An item that failed after good ones in the same chunk: the good events go out first.
  #pendingFailure: { error: unknown } | undefined;
  #delivered = 0;
  // The last event id of the batches mapped without error: where a resume after an unreadable one starts.
  #lastGoodEventId: string | undefined;

  constructor(
    body: AsyncIterable<Uint8Array>,
    dialect: StreamDialect<Item>,
    options: ChatEventReaderOptions,
  ) {
    this.#options = options;
    this.#dialect = dialect;
    this.#mapper = dialect.createMapper(options.requestId);
    this.#timeouts = new StreamTimeouts(options);
    this.#source = new ResumableStream(body, {
      dialect,
      timeouts: this.#timeouts,
      signal: options.signal,
      isComplete: () => this.#mapper.terminal,
      reconnect: options.reconnect,
      reconnectDelay: options.reconnectDelay,
      maxResumes: options.maxResumes,
      abandonInitialBody: options.abandonInitialBody,
      maxResponseBytes: options.maxResponseBytes,
    });
    // Closing at once, even when nobody is reading: an abort must free the socket now.
    this.#aborted = options.signal.aborted;
    options.signal.addEventListener(
      'abort',
      () => {
        this.#aborted = true;
        this.#source.close();
      },
      { once: true },
    );
  }

  get resumed(): number {
    return this.#source.resumed;
  }

  get lastEventId(): string | undefined {
    return this.#source.lastEventId;
  }

  async next(): Promise<ChatStreamEvent | undefined> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#options.signal.aborted) throw abortErrorFrom(this.#options.signal);
    try {
      if (this.#queueHead === this.#queue.length && !this.#ended) this.#timeouts.beginWait();
      while (this.#queueHead === this.#queue.length && !this.#ended) {
        if (this.#pendingFailure !== undefined) throw this.#pendingFailure.error;
        await this.#pull();
      }
    } catch (error) {
      this.#ended = true;
      this.#source.close();
      this.#failure = withProgress(error, await this.#progress(), this.#options.requestId);
      throw this.#failure;
    }
    return this.#take();
  }

  takeReady(): ChatStreamEvent | undefined {
    // A flag, not `signal.aborted`: that getter validates its receiver, on every event.
    if (this.#failure !== undefined || this.#aborted) return undefined;
    return this.#take();
  }

  #take(): ChatStreamEvent | undefined {
    if (this.#queueHead === this.#queue.length) return undefined;
    const event = this.#queue[this.#queueHead] as ChatStreamEvent;
    this.#queueHead += 1;
    if (this.#queueHead === this.#queue.length) {
      // Emptied in place: the next chunk refills the same backing store instead of growing a new one.
      this.#queue.length = 0;
      this.#queueHead = 0;
    }
    this.#delivered += 1;
    return event;
  }

  close(): void {
    this.#ended = true;
    this.#source.close();
  }

  async #pull(): Promise<void> {
    let items: Item[] | null;
    try {
      items = await this.#source.read();
    } catch (error) {
      // Every choice already finished: only the tail (usage, end marker) was lost, so the
      // content is whole and the stream succeeds with estimated usage.
      if (isConnectionBreak(error) && this.accumulator.allChoicesFinished()) return this.#end();
      throw error;
    }
    if (items === null) return this.#end();
    const queue = this.#queue;
    // One clock read per network chunk: its events all arrived at the same moment.
    if (this.#hasData(items)) this.#timeouts.markData();
    for (let position = 0; position < items.length; position += 1) {
      const item = items[position] as Item;
      const before = queue.length;
      try {
        // Items that are not data (comments, `retry`, other named events) map to nothing.
        this.#mapper.mapInto(item, queue);
      } catch (error) {
        return this.#unreadable(error, items, position);
      }
      for (let index = before; index < queue.length; index += 1)
        this.accumulator.add(queue[index] as ChatStreamEvent);
      if (this.#mapper.terminal) return this.#end();
    }
    // Every item of the batch mapped: the last id among them is the source's.
    this.#lastGoodEventId = this.#source.lastEventId;
  }

  #hasData(items: Item[]): boolean {
    for (const item of items) if (this.#dialect.isData(item)) return true;
    return false;
  }

  /** The item at `position` could not be mapped: resume after the last good event, or fail. */
  async #unreadable(error: unknown, items: Item[], position: number): Promise<void> {
    let failure = error;
    // An unreadable event (a proxy's or server's garbage line) on a resumable stream: read the
    // rest again from the last good event instead of failing the whole stream.
    if (error instanceof StreamError && error.code === 'invalid_json') {
      const lastGood = this.#lastGoodIdBefore(items, position);
      try {
        if (await this.#source.resumeAfterUnreadable(error, lastGood)) {
          this.#lastGoodEventId = lastGood;
          return;
        }
      } catch (resumeError) {
        // The resume failed too: its error says both why, and the good events still go out first.
        failure = resumeError;
      }
    }
    if (this.#queueHead === this.#queue.length) throw failure;
    this.#pendingFailure = { error: failure };
  }

  /** The id of the last event mapped without error: the batch's items before `position`, then earlier batches'. */
  #lastGoodIdBefore(items: Item[], position: number): string | undefined {
    for (let index = position - 1; index >= 0; index -= 1) {
      const item = items[index] as Item;
      const id = this.#dialect.isData(item) ? this.#dialect.idOf(item) : undefined;
      if (id !== undefined && id !== '') return id;
    }
    return this.#lastGoodEventId;
  }

  async #end(): Promise<void> {
    this.#ended = true;
    // Nothing after the end marker matters; releasing the body now frees the socket even
    // from a server that keeps the response open.
    this.#source.close();
    if (!this.#mapper.terminal && !this.accumulator.allChoicesFinished()) {
      const unfinished = this.accumulator.choices().filter((choice) => choice.finishReason === null);
      const which =
        unfinished.length === 0
          ? 'and before any choice arrived'
          : `and with choice ${unfinished.map((choice) => choice.index).join(', ')} unfinished`;
      throw new StreamError(
        `The stream ended without \`${this.#dialect.endMarker}\` ${which} (truncated after ${this.#delivered + this.#queue.length - this.#queueHead} events).`,
        { code: 'stream_truncated', retryable: true },
      );
    }
    if (this.accumulator.usage === undefined) {
      const event: ChatStreamEvent = { type: 'usage', usage: await this.#estimate() };
      this.accumulator.add(event);
      this.#queue.push(event);
    }
  }

  #estimate(): Promise<StreamUsage> {
    return estimateUsage(this.accumulator.outputTexts(), {
      estimateTokens: this.#options.estimateTokens,
      promptTokens: this.#options.promptTokens,
    });
  }

  async #progress(): Promise<StreamProgress> {
    let usage = this.accumulator.usage;
    // An estimator that fails must not hide the stream's own error; usage stays unknown then.
    if (usage === undefined) usage = await this.#estimate().catch(() => undefined);
    return {
      partial: this.accumulator.partialText(),
      usage,
      lastEventId: this.#source.lastEventId,
      eventsReceived: this.#delivered,
    };
  }
}
