import type { ChatStreamEvent } from './chat-stream-events.js';

/**
 * Turns a body's bytes into framed items (SSE messages, JSON lines). Stateful: one decoder
 * per connection, since a reconnected body starts a fresh framing.
 */
export interface ChunkDecoder<Item> {
  /**
   * Decodes one chunk; returns the items it completed. Throws a `StreamError` on unreadable
   * framing — after returning the good items that came before it in the same chunk.
   */
  push(bytes: Uint8Array): Item[];
  /** The body ended: returns what the last bytes completed. */
  end(): Item[];
}

/**
 * Turns framed items into typed events for one logical stream (it outlives reconnections, so
 * per-stream state such as "metadata already sent" survives a resume).
 */
export interface EventMapper<Item> {
  /** Events for one item; throws `APIError` for an in-band provider error, `StreamError` for unreadable data. */
  map(item: Item): ChatStreamEvent[];
  /**
   * The same, appended to `events`: the reader's queue takes them without an array per item.
   * Throws before appending anything, so a failed item adds no event.
   */
  mapInto(item: Item, events: ChatStreamEvent[]): void;
  /** True once the dialect's end marker arrived (`[DONE]`, `done: true`). */
  readonly terminal: boolean;
}

/** How one wire format is framed and mapped: the only part of a stream that differs by provider. */
export interface StreamDialect<Item> {
  createDecoder(): ChunkDecoder<Item>;
  /** `requestId` goes on the errors the mapper raises. */
  createMapper(requestId: string | undefined): EventMapper<Item>;
  /** How the format marks a complete stream, for error messages (`data: [DONE]`, `done: true`). */
  readonly endMarker: string;
  /** True for items that carry data; comments and keep-alives are not progress for the idle timer. */
  isData(item: Item): boolean;
  /** The item's resume position (`id:`), when the format has one; undefined for items that are not data. */
  idOf(item: Item): string | undefined;
}
