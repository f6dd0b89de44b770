import { createParser, type EventSourceParser } from 'eventsource-parser';
import { StreamError } from '../errors/index.js';
import type { ChunkDecoder } from './stream-dialect.js';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder.js';

/**
 * One thing an SSE stream said. `message` is an event with data; `comment` (`: keep-alive`)
 * and `retry` (the server's reconnection delay) carry no data, so they keep a stream's
 * socket busy without counting as progress for the idle timer.
 */
export type ServerSentItem =
  | { kind: 'message'; id: string | undefined; event: string | undefined; data: string }
  | { kind: 'comment'; text: string }
  | { kind: 'retry'; milliseconds: number };

/** Guards memory against a server that never ends a line or an event (characters). */
const DEFAULT_MAX_BUFFERED_CHARACTERS = 16 * 1024 * 1024;

/**
 * Turns SSE bytes into {@link ServerSentItem}s, chunk by chunk. Any split of the same bytes
 * gives the same items: UTF-8 characters cut between chunks are decoded once whole, and a
 * `\r` at the end of one chunk waits to see whether a `\n` follows it.
 *
 * @example
 * const decoder = new SseDecoder();
 * const items = [...decoder.push(bytes), ...decoder.end()];
 */
export class SseDecoder implements ChunkDecoder<ServerSentItem> {
  readonly #text = new Utf8ChunkDecoder();
  readonly #parser: EventSourceParser;
  #items: ServerSentItem[] = [];
  #overflow: StreamError | undefined;
  #endsWithCarriageReturn = false;

  constructor(options: { maxBufferedCharacters?: number } = {}) {
    const maxBufferSize = options.maxBufferedCharacters ?? DEFAULT_MAX_BUFFERED_CHARACTERS;
    this.#parser = createParser({
      maxBufferSize,
      onEvent: (message) =>
        this.#items.push({ kind: 'message', id: message.id, event: message.event, data: message.data }),
      onComment: (text) => this.#items.push({ kind: 'comment', text }),
      onRetry: (milliseconds) => this.#items.push({ kind: 'retry', milliseconds }),
      onError: (error) => {
        // Unknown fields and bad `retry` values are ignored, as the SSE spec says; only an
        // unbounded line is fatal, since it would otherwise grow until the process dies.
        if (error.type === 'max-buffer-size-exceeded') {
          this.#overflow = new StreamError(
            `The SSE stream sent more than ${maxBufferSize} characters without ending an event.`,
            { code: 'sse_buffer_overflow', cause: error },
          );
        }
      },
    });
  }

  /** Decodes one chunk of bytes; returns the items it completed (often none, or several). */
  push(bytes: Uint8Array): ServerSentItem[] {
    this.#feed(this.#text.write(bytes));
    return this.#take();
  }

  /** The body ended: flushes a trailing `\r` that was waiting for a `\n`. Incomplete events are dropped, as the SSE spec says. */
  end(): ServerSentItem[] {
    this.#feed(this.#text.end());
    // A lone `\r` is a complete line break, and `\r\n` is the same break, so adding `\n` finishes
    // the line without changing what it means.
    if (this.#endsWithCarriageReturn) this.#feed('\n');
    return this.#take();
  }

  #feed(text: string): void {
    if (text === '') return;
    this.#endsWithCarriageReturn = text.endsWith('\r');
    if (this.#overflow === undefined) this.#parser.feed(text);
  }

  #take(): ServerSentItem[] {
    // Items completed before the overflow are returned first; the next call throws.
    if (this.#overflow !== undefined && this.#items.length === 0) throw this.#overflow;
    const items = this.#items;
    this.#items = [];
    return items;
  }
}

/**
 * Reads SSE items from a body, pulling one chunk at a time only when the previous chunk's
 * items have been consumed.
 *
 * @example
 * for await (const item of decodeServerSentEvents(response.body)) {
 *   if (item.kind === 'message') console.log(item.id, item.data);
 * }
 */
export async function* decodeServerSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<ServerSentItem> {
  const decoder = new SseDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}
