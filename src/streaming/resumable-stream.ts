import {
  AbortError,
  AiaasError,
  ConnectionError,
  describeByteCount,
  ResponseTooLargeError,
  StreamError,
} from '../errors/index.js';
import { defaultMaxResponseBytes } from '../transport/response-size-limit.js';
import { BodyReader } from './body-reader.js';
import type { ChunkDecoder, StreamDialect } from './stream-dialect.js';
import { StreamTimeoutError } from './stream-timeout-error.js';
import type { StreamTimeouts } from './stream-timeouts.js';

/**
 * Opens the same stream again from after `lastEventId` (the reference server: the same
 * Idempotency-Key plus a `Last-Event-ID` header) and resolves with the new body. Rejects
 * when the provider cannot resume (e.g. it answers with an error status); the stream then
 * fails with a `StreamError` (`code: 'resume_failed'`) that carries the partial output.
 */
export type Reconnect = (lastEventId: string, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>;

export interface ResumableStreamOptions<Item> {
  dialect: Pick<StreamDialect<Item>, 'createDecoder' | 'isData' | 'idOf'>;
  timeouts: StreamTimeouts;
  signal: AbortSignal;
  /** True once the stream's end marker arrived; a body that ends before that is resumed. */
  isComplete: () => boolean;
  reconnect?: Reconnect | undefined;
  /** Reconnections allowed over the whole stream; 3 when not given. */
  maxResumes?: number | undefined;
  /** Closes the first body's connection when the stream gives up on it (a generator body cannot be interrupted mid-read). */
  abandonInitialBody?: (() => void) | undefined;
  /** How long to wait before trying a refused reconnection again (`retry` is 1 first); undefined gives up. */
  reconnectDelay?: ReconnectDelay | undefined;
  /**
   * The most body bytes read over the whole stream, every connection together (default 256 MiB):
   * the text a stream accumulates never outgrows what arrived, so this bounds its memory too.
   */
  maxResponseBytes?: number | undefined;
}

/**
 * Milliseconds to wait before trying again a reconnection that was refused retryably (a 429,
 * a 503, a reset); `retry` is 1 for the first wait. Undefined gives the reconnection up (e.g.
 * the server asked to wait longer than the caller allows). The default waits 50, 100, 200 ms….
 */
export type ReconnectDelay = (error: AiaasError, retry: number) => number | undefined;

/** The delay when none is given: short, since a resume is in the middle of a stream someone is reading. */
export const defaultReconnectDelay: ReconnectDelay = (_error, retry) => 50 * 2 ** Math.min(20, retry - 1);

const DEFAULT_MAX_RESUMES = 3;

/** Waits `milliseconds`, or less when `signal` aborts (the next reconnection then fails at once). */
function pause(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Decimal ids compare as numbers; other ids can only be recognised when equal. */
function isAtOrBefore(id: string, lastId: string): boolean {
  if (/^\d+$/.test(id) && /^\d+$/.test(lastId)) return BigInt(id) <= BigInt(lastId);
  return id === lastId;
}

/**
 * The framed items of a stream that may span several connections. When the body breaks
 * (throws, or ends before the end marker) and a `reconnect` is given and an event id was
 * seen, it reconnects from the last id, up to `maxResumes` times, and skips anything the
 * new connection repeats, so each item is seen exactly once.
 *
 * @example
 * const source = new ResumableStream(body, { dialect, timeouts, signal, isComplete, reconnect });
 * for (let items = await source.read(); items !== null; items = await source.read()) handle(items);
 */
export class ResumableStream<Item> {
  readonly #options: ResumableStreamOptions<Item>;
  readonly #maxResumes: number;
  #reader: BodyReader;
  #decoder: ChunkDecoder<Item>;
  #bodyEnded = false;
  #resumed = 0;
  #lastEventId: string | undefined;
  readonly #maxBytes: number;
  #receivedBytes = 0;
  #overLimit = false;
  // Frees the socket of the body being read when the stream abandons it for a resume.
  #abandonCurrent: (() => void) | undefined;

  constructor(body: AsyncIterable<Uint8Array>, options: ResumableStreamOptions<Item>) {
    this.#options = options;
    this.#abandonCurrent = options.abandonInitialBody;
    this.#maxResumes = options.maxResumes ?? DEFAULT_MAX_RESUMES;
    this.#maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
    this.#reader = new BodyReader(body);
    this.#decoder = options.dialect.createDecoder();
  }

  /** How many times the stream reconnected. */
  get resumed(): number {
    return this.#resumed;
  }

  /** The id of the last event received, the position a resume continues from. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** The next non-empty batch of items, or null once the stream ended for good. */
  async read(): Promise<Item[] | null> {
    for (;;) {
      if (this.#overLimit) throw this.#tooLarge();
      if (this.#bodyEnded) {
        if (this.#options.isComplete() || !this.#canResume()) return null;
        await this.#resume(
          new ConnectionError('The stream ended before its end marker.', { phase: 'stream' }),
        );
        continue;
      }
      const chunk = this.#withinLimit(await this.#readChunk());
      if (chunk === undefined) this.#bodyEnded = true;
      const items = this.#accept(chunk === undefined ? this.#decoder.end() : this.#decoder.push(chunk));
      if (items.length > 0) return items;
    }
  }

  /**
   * Gives up on the current body because it carried something unreadable (a malformed event) and
   * reconnects from `afterEventId`, the last event that was read correctly. False when the
   * stream cannot be resumed; the caller then reports the unreadable event.
   */
  async resumeAfterUnreadable(reason: AiaasError, afterEventId: string | undefined): Promise<boolean> {
    if (afterEventId === undefined || !this.#canResume()) return false;
    this.#lastEventId = afterEventId;
    await this.#resume(reason);
    return true;
  }

  /** Releases the current body; safe to call more than once. */
  close(): void {
    this.#reader.close();
  }

  /** The part of `chunk` within the stream's byte limit; past the limit, the next read fails. */
  #withinLimit(chunk: Uint8Array | undefined): Uint8Array | undefined {
    if (chunk === undefined) return undefined;
    const room = this.#maxBytes - this.#receivedBytes;
    this.#receivedBytes += chunk.byteLength;
    if (chunk.byteLength <= room) return chunk;
    // What fits is still decoded, so the events before the limit are delivered and counted.
    this.#overLimit = true;
    return chunk.subarray(0, Math.max(0, room));
  }

  #tooLarge(): ResponseTooLargeError {
    this.close();
    return new ResponseTooLargeError(
      `The stream is larger than \`maxResponseBytes\`, ${describeByteCount(this.#maxBytes)}, over ${this.#resumed + 1} connection(s): ` +
        `the client stopped reading after ${this.#receivedBytes} bytes and closed the connection. ` +
        'Raise `maxResponseBytes` (a client option, or per call) if streams this long are expected.',
      { phase: 'stream', limitBytes: this.#maxBytes, receivedBytes: this.#receivedBytes },
    );
  }

  async #readChunk(): Promise<Uint8Array | undefined> {
    for (;;) {
      try {
        const result = await this.#options.timeouts.race(this.#reader.read(), this.#options.signal);
        return result.done ? undefined : result.value;
      } catch (error) {
        // A socket that went silent mid-stream is as broken as a cut one: the server can resume it.
        if (error instanceof StreamTimeoutError && error.timer === 'idle' && this.#canResume()) {
          await this.#resume(error);
          continue;
        }
        // Too large stays too large on a resume; an abort (the caller's, or the client closing) is final.
        if (
          error instanceof StreamTimeoutError ||
          error instanceof AbortError ||
          error instanceof ResponseTooLargeError ||
          this.#options.signal.aborted
        )
          throw error;
        // Raw `TypeError: terminated` and friends never reach a user: a broken body is a ConnectionError.
        const broken = AiaasError.isInstance(error)
          ? error
          : new ConnectionError('The connection broke mid-stream.', { cause: error, phase: 'stream' });
        if (!this.#canResume()) throw broken;
        await this.#resume(broken);
      }
    }
  }

  #canResume(): boolean {
    return (
      this.#options.reconnect !== undefined &&
      this.#lastEventId !== undefined &&
      this.#resumed < this.#maxResumes &&
      !this.#options.signal.aborted
    );
  }

  async #resume(reason: AiaasError): Promise<void> {
    const lastEventId = this.#lastEventId as string;
    const reconnect = this.#options.reconnect as Reconnect;
    this.#resumed += 1;
    this.#reader.close();
    this.#abandonCurrent?.();
    // A reconnection is a new wait for data: it gets a whole idle window of its own.
    this.#options.timeouts.beginWait();
    // Aborted by the stream's own abort, or when the reconnection itself times out.
    const attempt = new AbortController();
    const signal = AbortSignal.any([this.#options.signal, attempt.signal]);
    try {
      const body = await this.#reconnectRetrying(reconnect, lastEventId, signal);
      this.#reader = new BodyReader(body);
      this.#abandonCurrent = () => attempt.abort();
      // A fresh framing: a half-received event from the broken body is dropped, and the
      // server repeats it from after `lastEventId`.
      this.#decoder = this.#options.dialect.createDecoder();
      this.#bodyEnded = false;
    } catch (error) {
      attempt.abort(error);
      if (error instanceof StreamTimeoutError || error instanceof AbortError || this.#options.signal.aborted)
        throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new StreamError(
        `The stream broke (${reason.message}) and resuming after event ${lastEventId} failed: ${why}`,
        { code: 'resume_failed', cause: error, retryable: true, lastEventId },
      );
    }
  }

  /** A reconnection refused retryably (429, 503, a reset) is tried again while resumes remain. */
  async #reconnectRetrying(
    reconnect: Reconnect,
    lastEventId: string,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const delayOf = this.#options.reconnectDelay ?? defaultReconnectDelay;
    for (let retry = 1; ; retry += 1) {
      try {
        return await this.#options.timeouts.race(reconnect(lastEventId, signal), this.#options.signal);
      } catch (error) {
        const again =
          AiaasError.isInstance(error) &&
          error.retryable &&
          !(error instanceof StreamTimeoutError) &&
          this.#resumed < this.#maxResumes &&
          !this.#options.signal.aborted;
        if (!again) throw error;
        // A server that says when to come back (`retry-after`) is listened to, within limits.
        const wait = delayOf(error, retry);
        if (wait === undefined) throw error;
        this.#resumed += 1;
        await pause(wait, signal);
        this.#options.timeouts.beginWait();
      }
    }
  }

  #accept(items: Item[]): Item[] {
    // Nothing to skip on the first connection: only the batch's last id matters.
    if (this.#resumed === 0) {
      const id = this.#lastIdOf(items);
      if (id !== undefined) this.#lastEventId = id;
      return items;
    }
    const { dialect } = this.#options;
    // Filtered in place: a network chunk holds hundreds of items, and most keep them all.
    let kept = 0;
    for (const item of items) {
      const id = dialect.isData(item) ? dialect.idOf(item) : undefined;
      if (id !== undefined && id !== '') {
        if (this.#lastEventId !== undefined && isAtOrBefore(id, this.#lastEventId)) continue;
        this.#lastEventId = id;
      }
      items[kept] = item;
      kept += 1;
    }
    items.length = kept;
    return items;
  }

  #lastIdOf(items: Item[]): string | undefined {
    const { dialect } = this.#options;
    for (let index = items.length - 1; index >= 0; index -= 1) {
      const id = dialect.idOf(items[index] as Item);
      if (id !== undefined && id !== '') return id;
    }
    return undefined;
  }
}
