import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { type Dispatcher, request as undiciRequest } from 'undici';
import { ValidationError } from '../errors/index.js';
import { apiErrorFromResponse } from './api-error-from-response.js';
import { AttemptSignal } from './attempt-signal.js';
import { BodyByteCount } from './body-byte-count.js';
import { composeMiddleware } from './compose-middleware.js';
import { mapNetworkError } from './network-error-mapping.js';
import { readBodyText } from './read-body.js';
import type { Redactor } from './redactor.js';
import { mergeHeaders, normalizeResponseHeaders } from './response-headers.js';
import { retainedBody } from './retained-body.js';
import type { SdkLogger } from './sdk-logger.js';
import type {
  JsonResponse,
  Middleware,
  SendOptions,
  TransportHandler,
  TransportRequest,
  TransportRequestInit,
  TransportResponse,
} from './transport-types.js';

export interface HttpTransportOptions {
  dispatcher: Dispatcher;
  /** Default per-attempt timeout in milliseconds. */
  timeout: number;
  /** Sent on every request (authorization, user agent, the caller's defaults). */
  defaultHeaders: Readonly<Record<string, string>>;
  middleware: readonly Middleware[];
  logger: SdkLogger;
  redactor: Redactor;
}

const errorBodyLimit = 64 * 1024;

/**
 * One HTTP attempt over undici's `request`: merges headers, runs the middleware, applies the
 * attempt timeout and the caller's signal, and maps every failure to an aiaas error.
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #handler: TransportHandler;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#handler = composeMiddleware(options.middleware, this.#dispatch);
  }

  /** Sends a request and reads its whole JSON body (an empty body gives `data: undefined`). */
  async requestJson(init: TransportRequestInit, options: SendOptions = {}): Promise<JsonResponse> {
    const attempt = new AttemptSignal(options.signal, options.timeout ?? this.#options.timeout);
    try {
      const response = await this.#start(init, attempt);
      const text = await readBodyText(response.body);
      // Serialised as #dispatch does; a server billing per MB counts these same bytes.
      const sent = init.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(init.body));
      const info = { ...infoOf(response), bodyBytes: { sent, received: Buffer.byteLength(text) } };
      if (text.trim() === '') return { data: undefined, response: info };
      try {
        return { data: JSON.parse(text), response: info };
      } catch {
        const contentType = response.headers['content-type'] ?? 'no content type';
        const snippet = this.#options.redactor.text(text.replace(/\s+/g, ' ').trim().slice(0, 120));
        const requestIdText = response.requestId ? ` (request id ${response.requestId})` : '';
        throw new ValidationError(
          `Expected JSON from ${init.method} ${init.url} but got ${contentType}: "${snippet}"${requestIdText}`,
          {
            issues: [{ path: '', message: `not JSON (${contentType})` }],
            subject: 'response',
            requestId: response.requestId,
          },
        );
      }
    } catch (error) {
      const context = { method: init.method, url: init.url, attempt, redactor: this.#options.redactor };
      const mapped = mapNetworkError(error, context);
      this.#options.logger.debug(`${init.method} ${init.url} failed`, { error: mapped.message });
      throw mapped;
    } finally {
      attempt.dispose();
    }
  }

  /**
   * Sends a request and resolves once a 2xx response's headers arrive. The body is handed over
   * unread; the timeout covers only the headers, the caller's signal covers the whole body.
   */
  async requestStream(init: TransportRequestInit, options: SendOptions = {}): Promise<TransportResponse> {
    const attempt = new AttemptSignal(options.signal, options.timeout ?? this.#options.timeout);
    let response: TransportResponse;
    try {
      response = await this.#start(init, attempt);
    } catch (error) {
      attempt.dispose();
      throw mapNetworkError(error, {
        method: init.method,
        url: init.url,
        attempt,
        redactor: this.#options.redactor,
      });
    }
    attempt.stopTimer();
    const context = {
      method: init.method,
      url: init.url,
      attempt,
      redactor: this.#options.redactor,
      bodyPhase: 'stream' as const,
    };
    // Serialised as #dispatch does: the bytes the server reads and meters.
    const byteCount = new BodyByteCount(
      init.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(init.body)),
    );
    async function* guardedBody(): AsyncGenerator<Uint8Array> {
      try {
        // A Node stream (undici's body) drops what it buffered when it breaks; keep every byte that arrived.
        const source = response.body instanceof Readable ? retainedBody(response.body) : response.body;
        for await (const chunk of source) {
          byteCount.addReceived(chunk.byteLength);
          yield chunk;
        }
      } catch (error) {
        throw mapNetworkError(error, context);
      } finally {
        attempt.dispose();
      }
    }
    return { ...infoOf(response), body: guardedBody(), bodyByteCount: byteCount };
  }

  /** Runs middleware and the request; throws the APIError for a non-2xx status. */
  async #start(init: TransportRequestInit, attempt: AttemptSignal): Promise<TransportResponse> {
    const hasBody = init.body !== undefined;
    const request: TransportRequest = {
      method: init.method,
      url: init.url,
      headers: mergeHeaders(
        this.#options.defaultHeaders,
        hasBody ? { 'content-type': 'application/json' } : undefined,
        init.headers,
      ),
      ...(hasBody ? { body: init.body } : {}),
      signal: attempt.signal,
    };
    const started = performance.now();
    const response = await this.#handler(request);
    attempt.phase = 'body';
    const elapsed = Math.round(performance.now() - started);
    const { logger } = this.#options;
    const summary = `${init.method} ${init.url} -> ${response.status} in ${elapsed} ms`;
    const requestIdText = response.requestId ? ` (request id ${response.requestId})` : '';
    if (response.status >= 200 && response.status < 300) {
      logger.info(`${summary}${requestIdText}`);
      logger.debug('response headers', { status: response.status, headers: response.headers });
      return response;
    }
    const bodyText = await readBodyText(response.body, errorBodyLimit).catch(() => '');
    const error = apiErrorFromResponse(infoOf(response), bodyText, this.#options.redactor);
    logger.info(`${summary}${requestIdText}: ${error.message}`);
    logger.debug('error response', { status: response.status, headers: response.headers, body: bodyText });
    throw error;
  }

  /** The innermost handler: the real request over the dispatcher. */
  readonly #dispatch: TransportHandler = async (request) => {
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    this.#options.logger.debug(`request ${request.method} ${request.url}`, {
      headers: request.headers,
      ...(payload === undefined
        ? {}
        : { body: payload.length > 4096 ? `${payload.slice(0, 4096)}…` : payload }),
    });
    const response = await undiciRequest(request.url, {
      dispatcher: this.#options.dispatcher,
      method: request.method,
      headers: request.headers,
      body: payload ?? null,
      signal: request.signal,
    });
    const headers = normalizeResponseHeaders(response.headers);
    return { status: response.statusCode, headers, requestId: headers['x-request-id'], body: response.body };
  };
}

function infoOf(response: TransportResponse): {
  status: number;
  headers: Readonly<Record<string, string>>;
  requestId: string | undefined;
} {
  return { status: response.status, headers: response.headers, requestId: response.requestId };
}
