import type { Dialect } from './error-body.js';

/**
 * How a stream's events are framed on the wire: server-sent events (`id:` and `data:` lines,
 * resumable with `Last-Event-ID`) for OpenAI, or NDJSON (one JSON object per line) for Ollama.
 */
export type StreamFraming = 'sse' | 'ndjson';

/** Ollama streams NDJSON; every other dialect streams server-sent events. */
export function streamFramingOf(dialect: Dialect): StreamFraming {
  return dialect === 'ollama' ? 'ndjson' : 'sse';
}

/** The `content-type` of a stream in this framing. */
export function streamContentType(framing: StreamFraming): string {
  return framing === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8';
}

/**
 * One event as written: the bytes a stream meters per event are these, whichever socket carries them.
 *
 * @example
 * eventFrame('sse', 3, '{"a":1}'); // 'id: 3\ndata: {"a":1}\n\n'
 * eventFrame('ndjson', 3, '{"a":1}'); // '{"a":1}\n'
 */
export function eventFrame(framing: StreamFraming, id: number, payload: string): string {
  return framing === 'ndjson' ? `${payload}\n` : `id: ${id}\ndata: ${payload}\n\n`;
}

/** Invalid JSON (and, in SSE, without an `id:`, so it moves no resume point): the `malformed` fault's line. */
export function malformedFrame(framing: StreamFraming): string {
  return framing === 'ndjson'
    ? '{"message":{"content":"malformed by x-aiaas-fault\n'
    : 'data: {"choices":[{"delta":{"content":"malformed by x-aiaas-fault\n\n';
}
