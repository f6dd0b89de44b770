import { type Dispatcher, request as undiciRequest } from 'undici';
import type { AttemptSignal } from './attempt-signal.js';
import type { Payload } from './form-payload.js';
import { type AnswerLimits, type CollectedAnswer, JsonAnswerHandler } from './json-answer-handler.js';
import { normalizeResponseHeaders } from './response-headers.js';
import type { SdkLogger } from './sdk-logger.js';
import type { HttpMethod, TransportResponse } from './transport-types.js';

/** What the innermost request needs from the transport. */
export interface UndiciSendSettings {
  readonly dispatcher: Dispatcher;
  readonly logger: SdkLogger;
}

/**
 * The innermost request of the transport: one undici `request` with headers already merged and
 * the body already serialised. `signal` may be the {@link AttemptSignal} itself, the
 * EventEmitter-like signal undici documents, so that no AbortController is made for it.
 *
 * @example
 * const response = await sendOverUndici({ dispatcher, logger }, 'POST', url, headers, JSON.stringify(body), attempt);
 */
export function sendOverUndici(
  settings: UndiciSendSettings,
  method: HttpMethod,
  url: string,
  headers: Readonly<Record<string, string>>,
  payload: Payload | undefined,
  signal: AbortSignal | AttemptSignal,
): Promise<TransportResponse> {
  logRequest(settings.logger, method, url, headers, payload);
  // A plain promise chain, not an async function: one promise fewer per attempt.
  return undiciRequest(url, {
    dispatcher: settings.dispatcher,
    method,
    headers,
    body: payload ?? null,
    signal: signal as AbortSignal,
  }).then(toTransportResponse);
}

function toTransportResponse(response: Dispatcher.ResponseData): TransportResponse {
  const headers = normalizeResponseHeaders(response.headers);
  return { status: response.statusCode, headers, requestId: headers['x-request-id'], body: response.body };
}

/**
 * A JSON call's attempt straight over the dispatcher: resolves with the whole answer (see
 * {@link JsonAnswerHandler}), rejects with undici's error, the attempt's abort reason or the
 * limit's error.
 *
 * @example
 * const answer = await collectOverUndici({ dispatcher, logger }, 'POST', url, headers, payload, attempt, limits);
 */
export function collectOverUndici(
  settings: UndiciSendSettings,
  method: HttpMethod,
  url: string,
  headers: Readonly<Record<string, string>>,
  payload: Payload | undefined,
  attempt: AttemptSignal,
  limits: AnswerLimits,
): Promise<CollectedAnswer> {
  logRequest(settings.logger, method, url, headers, payload);
  const { origin, path } = originAndPath(url);
  return new Promise((resolve, reject) => {
    const handler = new JsonAnswerHandler(attempt, limits, resolve, reject);
    settings.dispatcher.dispatch({ origin, path, method, headers, body: payload ?? null }, handler);
  });
}

function logRequest(
  logger: SdkLogger,
  method: HttpMethod,
  url: string,
  headers: Readonly<Record<string, string>>,
  payload: Payload | undefined,
): void {
  if (!logger.enabled('debug')) return;
  logger.debug(`request ${method} ${url}`, {
    method,
    url,
    headers,
    ...(payload === undefined
      ? {}
      : typeof payload !== 'string'
        ? { body: `<multipart form, ${payload.byteLength} bytes>` }
        : { body: payload.length > 4096 ? `${payload.slice(0, 4096)}…` : payload }),
  });
}

type OriginAndPath = { readonly origin: string; readonly path: string };

// A client calls a handful of URLs over and over; parsing each once saves a URL object per attempt.
const parsedUrls = new Map<string, OriginAndPath>();
const parsedUrlLimit = 256;

/** What `dispatch` takes instead of a URL, parsed (and normalised) as undici's `request` would. */
function originAndPath(url: string): OriginAndPath {
  const known = parsedUrls.get(url);
  if (known !== undefined) return known;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Invalid URL protocol in ${url}: the URL must start with http: or https:.`);
  }
  const split = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  if (parsedUrls.size >= parsedUrlLimit) parsedUrls.clear();
  parsedUrls.set(url, split);
  return split;
}
