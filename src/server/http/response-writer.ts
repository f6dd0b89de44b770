import type { ServerResponse } from 'node:http';
import { type Dialect, errorBody } from './error-body.js';
import type { HttpError } from './http-error.js';
import type { RequestContext } from './request-context.js';
import type { WorkOutcome } from './request-settlement.js';
import type { RawRouteResponse, RecordedEvents, RouteResponse } from './route-response.js';
import { type EventStreamOutcome, writeEventStream } from './sse-writer.js';
import { type StreamFraming, streamContentType, streamFramingOf } from './stream-framing.js';
import type { UsageMeter } from './usage-meter.js';

const jsonContentTypeValue = 'application/json; charset=utf-8';

/**
 * Serialises and sends a JSON body with its length, counting the bytes on the meter. The text
 * goes to `end` as a string: Node then sends head and body in one write, with no Buffer made
 * for the body (the same bytes as {@link jsonBytes}).
 */
export function writeJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
  meter?: UsageMeter,
): void {
  const text = JSON.stringify(body);
  const length = Buffer.byteLength(text, 'utf8');
  meter?.addBytesOut(length);
  if (headers !== undefined) {
    for (const name in headers) if (name !== 'content-type') response.setHeader(name, headers[name]!);
  }
  response.writeHead(status, ['content-type', jsonContentTypeValue, 'content-length', String(length)]);
  response.end(text, 'utf8');
}

/** The `content-type` of every JSON answer. */
export const jsonContentType = { 'content-type': jsonContentTypeValue } as const;

/**
 * The bytes a JSON answer is sent as: what an idempotent replay stores and sends again.
 *
 * @example
 * const stored = { status: 200, headers: jsonContentType, body: jsonBytes({ ok: true }) };
 */
export function jsonBytes(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** Sends bytes exactly as given, with their length, counting them on the meter. */
function writeRaw(response: ServerResponse, raw: RawRouteResponse, meter?: UsageMeter): void {
  meter?.addBytesOut(raw.body.length);
  for (const name in raw.headers) response.setHeader(name, raw.headers[name]!);
  response.writeHead(raw.status, ['content-length', String(raw.body.length)]);
  response.end(raw.body);
}

/** Sends an error in the dialect's shape with the error's status and headers (`allow`, `www-authenticate`…). */
export function writeError(
  response: ServerResponse,
  dialect: Dialect,
  error: HttpError,
  meter?: UsageMeter,
): void {
  writeJson(response, error.status, errorBody(dialect, error), error.headers, meter);
}

function writeStreamHead(
  response: ServerResponse,
  framing: StreamFraming,
  headers: Readonly<Record<string, string>> = {},
): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(200, {
    'content-type': streamContentType(framing),
    'cache-control': 'no-cache',
    // Proxies such as nginx would otherwise hold events back until a buffer fills.
    'x-accel-buffering': 'no',
  });
  // Clients start their first-token clock on the headers; send them before the first token exists.
  response.flushHeaders();
}

/** The data of a buffer's events after `afterId`, following the live recording until it ends. */
async function* payloadsAfter(
  buffer: RecordedEvents,
  afterId: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  for await (const event of buffer.follow(afterId, { signal })) yield event.data;
}

/** The data of the error event that ends a stream which failed after its headers. */
function errorEventOf(
  context: RequestContext,
  errorOfUnknown: (error: unknown) => HttpError,
  error: unknown,
): string {
  return JSON.stringify(errorBody(context.dialect, errorOfUnknown(error)));
}

function workOutcomeOf(outcome: EventStreamOutcome): WorkOutcome {
  if (outcome.completed) return 'completed';
  return outcome.failed && !outcome.disconnected ? 'failed' : 'aborted';
}

/**
 * Puts a route's answer on the wire: JSON or raw bytes in one write, an event stream
 * through the SSE writer (straight from the route, or from a replay buffer), or a reset
 * connection. Headers the interceptors set on the context go on every answer. A failure
 * inside a stream (headers already sent) becomes an error event.
 */
export async function writeRouteResponse(
  response: ServerResponse,
  routeResponse: RouteResponse,
  context: RequestContext,
  errorOfUnknown: (error: unknown) => HttpError,
): Promise<void> {
  if (routeResponse.kind === 'reset') {
    // An RST, not a FIN: what a crashed server or a dropped proxy connection looks like to a client.
    if (response.socket) response.socket.resetAndDestroy();
    else response.destroy();
    return;
  }
  // Nobody is left to read it; a recorded stream or stored answer is still there for a retry.
  if (context.disconnected) return;
  for (const name in context.responseHeaders) response.setHeader(name, context.responseHeaders[name]!);
  const framing = streamFramingOf(context.dialect);
  switch (routeResponse.kind) {
    case 'json':
      writeJson(response, routeResponse.status, routeResponse.body, routeResponse.headers, context.meter);
      return;
    case 'raw':
      writeRaw(response, routeResponse, context.meter);
      return;
    case 'event-stream': {
      writeStreamHead(response, framing, routeResponse.headers);
      const writing = writeEventStream(response, routeResponse.events, {
        signal: context.signal,
        meter: context.meter,
        errorEvent: (error) => errorEventOf(context, errorOfUnknown, error),
        faults: context.streamFaults,
        closing: context.closing,
        framing,
      });
      context.settlement.track(writing.then(workOutcomeOf));
      await writing;
      return;
    }
    case 'buffered-stream': {
      writeStreamHead(response, framing, routeResponse.headers);
      const { buffer, afterEventId } = routeResponse;
      // Recorded events were metered as they were recorded; this socket only carries them.
      await writeEventStream(response, payloadsAfter(buffer, afterEventId, context.signal), {
        signal: context.signal,
        firstEventId: afterEventId + 1,
        // A reader that fell behind what the buffer holds cannot be served exactly: cut it.
        errorEvent: (error) =>
          buffer.isGap(error) ? undefined : errorEventOf(context, errorOfUnknown, error),
        faults: context.streamFaults,
        closing: context.closing,
        framing,
      });
      return;
    }
  }
}
