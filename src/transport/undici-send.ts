import { type Dispatcher, request as undiciRequest } from 'undici';
import type { AttemptSignal } from './attempt-signal.js';
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
  payload: string | undefined,
  signal: AbortSignal | AttemptSignal,
): Promise<TransportResponse> {
  const { logger } = settings;
  if (logger.enabled('debug')) {
    logger.debug(`request ${method} ${url}`, {
      method,
      url,
      headers,
      ...(payload === undefined
        ? {}
        : { body: payload.length > 4096 ? `${payload.slice(0, 4096)}…` : payload }),
    });
  }
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
