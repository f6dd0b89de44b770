/** A JSON answer: the dispatcher serialises it, sets the headers and meters the bytes. */
export interface JsonRouteResponse {
  kind: 'json';
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
}

/**
 * A server-sent event stream: each item is one event's `data` payload (already encoded),
 * `[DONE]` included. The SSE writer numbers the events with `id:` lines and stops pulling
 * when the client goes away, which ends the producing generator.
 */
export interface EventStreamRouteResponse {
  kind: 'event-stream';
  events: AsyncIterable<string>;
  headers?: Readonly<Record<string, string>>;
}

/**
 * An answer sent exactly as these bytes, `content-type` included in `headers`: a stored
 * answer replayed for a repeated Idempotency-Key is then byte-identical to the first.
 */
export interface RawRouteResponse {
  kind: 'raw';
  status: number;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
}

/** What the writer needs of a recording (the streams feature's replay buffer). */
export interface RecordedEvents {
  /** The events after `afterId`, then each new one until the recording ends or `signal` aborts. */
  follow(afterId: number, options: { signal: AbortSignal }): AsyncIterable<{ readonly data: string }>;
  /** True when `error` says the reader fell behind what is held: the stream is cut, with no error event. */
  isGap(error: unknown): boolean;
}

/**
 * An event stream written from a replay buffer: the recorded events after `afterEventId`,
 * then each new one as the generation (which runs independently of this socket) records it.
 * This is how a recorded stream, a replay and a `Last-Event-ID` resume are all sent.
 */
export interface BufferedStreamRouteResponse {
  kind: 'buffered-stream';
  buffer: RecordedEvents;
  afterEventId: number;
  headers?: Readonly<Record<string, string>>;
}

/** No answer at all: the connection is reset before any byte is sent (the `reset` fault). */
export interface ResetRouteResponse {
  kind: 'reset';
  /** Never sent (there is no answer); present so every kind can be wrapped alike. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * What a route (or an interceptor) returns. Routes describe the answer as data instead of
 * writing to the socket, so layers around them (idempotent replay, resumable streams,
 * billing, faults) can store, replay or wrap an answer without touching route code.
 */
export type RouteResponse =
  | JsonRouteResponse
  | EventStreamRouteResponse
  | RawRouteResponse
  | BufferedStreamRouteResponse
  | ResetRouteResponse;

/**
 * @example
 * return jsonResponse({ object: 'list', data: [] });
 */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): JsonRouteResponse {
  return headers === undefined ? { kind: 'json', status, body } : { kind: 'json', status, body, headers };
}

/**
 * @example
 * return eventStreamResponse(chunks());
 */
export function eventStreamResponse(events: AsyncIterable<string>): EventStreamRouteResponse {
  return { kind: 'event-stream', events };
}
