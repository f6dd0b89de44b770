import { ChatEventReader, type ChatEventSource } from './chat-event-reader.js';
import { ChatStream } from './chat-stream.js';
import { type JsonLine, NdjsonDecoder } from './ndjson-decoder.js';
import { OllamaLineMapper } from './ollama-line-mapper.js';
import { OpenAIChunkMapper } from './openai-chunk-mapper.js';
import type { Reconnect, ReconnectDelay } from './resumable-stream.js';
import { type ServerSentItem, SseDecoder } from './sse-decoder.js';
import type { StreamDialect } from './stream-dialect.js';
import type { TokenEstimator } from './usage-estimate.js';

/** The unread response a stream is made from (a provider's `ProviderStream` fits). */
export interface StreamResponse {
  body: AsyncIterable<Uint8Array>;
  /** `sse`: OpenAI-compatible chat or text completion chunks. `ndjson`: Ollama lines. */
  format: 'sse' | 'ndjson';
  requestId?: string | undefined;
}

export interface ChatStreamOptions {
  /** Aborting it closes the connection and makes reads throw `AbortError`. */
  signal?: AbortSignal | undefined;
  /** The stream's own controller (`abort()`), when the caller already has one; else one is made. */
  controller?: AbortController | undefined;
  /** Reopens the stream after a break, from after `lastEventId`; without it a break is a `StreamError`. */
  reconnect?: Reconnect | undefined;
  /** Waits before a refused reconnection is tried again (default 50, 100, 200 ms…). */
  reconnectDelay?: ReconnectDelay | undefined;
  /** Reconnections allowed over the whole stream (default 3). */
  maxResumes?: number | undefined;
  /** Closes the first response's connection when the stream abandons it for a resume. */
  abandonInitialBody?: (() => void) | undefined;
  /**
   * Milliseconds from `requestSentAt` to the first data event. Default 60 000 (unless only
   * `idleTimeout` is given, which then bounds the first wait); `0` or `Infinity` turns it off.
   */
  firstTokenTimeout?: number | undefined;
  /**
   * Milliseconds allowed between data events (comments and keep-alives do not count). Default
   * 300 000; `0` or `Infinity` turns it off.
   */
  idleTimeout?: number | undefined;
  /**
   * The most body bytes the stream reads, every resume included (default 256 MiB). Past it the
   * stream fails with a `ResponseTooLargeError` carrying the partial output, and its connection
   * is closed: the text it accumulates can never outgrow the bytes that arrived.
   */
  maxResponseBytes?: number | undefined;
  /** `performance.now()` when the request was sent (default: now). */
  requestSentAt?: number | undefined;
  /** Counts output tokens when usage has to be estimated (default: gpt-tokenizer o200k). */
  estimateTokens?: TokenEstimator | undefined;
  /** Prompt tokens, when known, for estimated usage (default 0). */
  promptTokens?: number | undefined;
}

/**
 * Unnamed events and `message`/`error` are the stream; other named events (a proxy's
 * `event: ping`) are keep-alives, ignored like comments and not progress for the idle timer.
 */
function isStreamMessage(item: ServerSentItem): item is Extract<ServerSentItem, { kind: 'message' }> {
  return (
    item.kind === 'message' &&
    (item.event === undefined || item.event === 'message' || item.event === 'error')
  );
}

const serverSentEventsDialect: StreamDialect<ServerSentItem> = {
  createDecoder: () => new SseDecoder(),
  createMapper: (requestId) => new OpenAIChunkMapper(requestId),
  isData: isStreamMessage,
  idOf: (item) => (isStreamMessage(item) ? item.id : undefined),
  endMarker: 'data: [DONE]',
};

const jsonLinesDialect: StreamDialect<JsonLine> = {
  createDecoder: () => new NdjsonDecoder(),
  createMapper: (requestId) => new OllamaLineMapper(requestId),
  isData: () => true,
  idOf: () => undefined,
  endMarker: 'done: true',
};

/** A stream's event source and the controller that aborts it, before they become a {@link ChatStream}. */
export interface OpenedChatEventSource {
  source: ChatEventSource;
  controller: AbortController;
  /** Fires when the stream stops: the controller, or the caller's `signal`. */
  signal: AbortSignal;
}

/**
 * The parts {@link createChatStream} assembles, for a caller that wraps the source (the client
 * reads the first event inside its retry loop and meters the rest) before building the stream.
 *
 * @example
 * const { source, controller } = openChatEventSource(response, { signal });
 * const stream = new ChatStream(source, controller, response.requestId);
 */
export function openChatEventSource(
  response: StreamResponse,
  options: ChatStreamOptions = {},
): OpenedChatEventSource {
  const controller = options.controller ?? new AbortController();
  const signal =
    options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  const { controller: _controller, ...rest } = options;
  const readerOptions = { ...rest, signal, requestId: response.requestId };
  const source =
    response.format === 'ndjson'
      ? new ChatEventReader(response.body, jsonLinesDialect, readerOptions)
      : new ChatEventReader(response.body, serverSentEventsDialect, readerOptions);
  return { source, controller, signal };
}

/**
 * Turns a streaming response into a {@link ChatStream} of typed events.
 *
 * @example
 * const response = await provider.doStream(params, callOptions);
 * const stream = createChatStream(response, {
 *   signal,
 *   idleTimeout: 30_000,
 *   reconnect: async (lastEventId, signal) =>
 *     (await provider.doStream(params, { ...callOptions, signal, headers: { 'last-event-id': lastEventId } })).body,
 * });
 * const { choices, usage } = await stream.final();
 */
export function createChatStream(response: StreamResponse, options: ChatStreamOptions = {}): ChatStream {
  const { source, controller } = openChatEventSource(response, options);
  return new ChatStream(source, controller, response.requestId);
}
