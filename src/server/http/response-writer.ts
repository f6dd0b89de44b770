import type { ServerResponse } from 'node:http';
import { type Dialect, errorBody } from './error-body.js';
import type { HttpError } from './http-error.js';
import type { RequestContext } from './request-context.js';
import type { RouteResponse } from './route-response.js';
import { writeEventStream } from './sse-writer.js';
import type { UsageMeter } from './usage-meter.js';

/** Serialises and sends a JSON body with its length, counting the bytes on the meter. */
export function writeJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
  meter?: UsageMeter,
): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  meter?.addResponseBytes(payload.length);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
  });
  response.end(payload);
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

/**
 * Puts a route's answer on the wire: JSON in one write, or an event stream through the SSE
 * writer. A failure inside a stream (headers already sent) becomes an error event.
 */
export async function writeRouteResponse(
  response: ServerResponse,
  routeResponse: RouteResponse,
  context: RequestContext,
  errorOfUnknown: (error: unknown) => HttpError,
): Promise<void> {
  if (routeResponse.kind === 'json') {
    writeJson(response, routeResponse.status, routeResponse.body, routeResponse.headers, context.meter);
    return;
  }
  for (const [name, value] of Object.entries(routeResponse.headers ?? {})) response.setHeader(name, value);
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // Proxies such as nginx would otherwise hold events back until a buffer fills.
    'x-accel-buffering': 'no',
  });
  // Clients start their first-token clock on the headers; send them before the first token exists.
  response.flushHeaders();
  await writeEventStream(response, routeResponse.events, {
    signal: context.signal,
    meter: context.meter,
    errorEvent: (error) => JSON.stringify(errorBody(context.dialect, errorOfUnknown(error))),
  });
}
