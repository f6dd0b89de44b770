import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { type AiaasError, APIError, ValidationError } from '../errors/index.js';
import { apiErrorFromResponse } from './api-error-from-response.js';
import { AttemptSignal } from './attempt-signal.js';
import { BodyByteCount } from './body-byte-count.js';
import { composeMiddleware } from './compose-middleware.js';
import { bodyPayload, type Payload, payloadBytes, withEncodedForm } from './form-payload.js';
import { InFlightAttempts } from './in-flight-attempts.js';
import type { CollectedAnswer, TooLarge } from './json-answer-handler.js';
import { clientClosedError, mapNetworkError } from './network-error-mapping.js';
import { readBodyText, readResponseText } from './read-body.js';
import type { Redactor } from './redactor.js';
import { mergeHeaders } from './response-headers.js';
import { defaultMaxResponseBytes, responseTooLarge } from './response-size-limit.js';
import { retainedBody } from './retained-body.js';
import { errorFields, type SdkLogger } from './sdk-logger.js';
import type {
  JsonResponse,
  Middleware,
  ResponseInfo,
  SendOptions,
  TransportHandler,
  TransportRequest,
  TransportRequestInit,
  TransportResponse,
} from './transport-types.js';
import { collectOverUndici, sendOverUndici } from './undici-send.js';

export interface HttpTransportOptions {
  dispatcher: Dispatcher;
  /** Default per-attempt timeout in milliseconds. */
  timeout: number;
  /** Sent on every request (authorization, user agent, the caller's defaults). */
  defaultHeaders: Readonly<Record<string, string>>;
  middleware: readonly Middleware[];
  logger: SdkLogger;
  redactor: Redactor;
  /**
   * The most bytes read from one response body (`maxResponseBytes`); past it the body is
   * destroyed and the request fails with a `ResponseTooLargeError`. Default 256 MiB.
   */
  maxResponseBytes?: number | undefined;
}

const errorBodyLimit = 64 * 1024;

/** What a method and status say about the body: a HEAD answer, a 204 or a 304 has none, whatever its `content-length`. */
function declaredBodyBytes(init: TransportRequestInit, response: TransportResponse): number | undefined {
  if (init.method === 'HEAD' || response.status === 204 || response.status === 304) return undefined;
  const header = response.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * One HTTP attempt over undici's `request`: merges headers, runs the middleware, applies the
 * attempt timeout and the caller's signal, and maps every failure to an aiaas error.
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;
  /** Undefined without middleware: the request then goes straight to undici. */
  readonly #handler: TransportHandler | undefined;
  readonly #defaultHeaders: Readonly<Record<string, string>>;
  readonly #jsonDefaultHeaders: Readonly<Record<string, string>>;
  readonly #inFlight = new InFlightAttempts();
  #closing: Promise<void> | undefined;
  #closed = false;
  /** The client's `maxResponseBytes`: what a call reads at most unless it sets its own. */
  readonly maxResponseBytes: number;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
    this.#handler =
      options.middleware.length === 0 ? undefined : composeMiddleware(options.middleware, this.#dispatch);
    this.#defaultHeaders = mergeHeaders(options.defaultHeaders);
    this.#jsonDefaultHeaders = mergeHeaders(options.defaultHeaders, { 'content-type': 'application/json' });
  }

  /** Sends a request and reads its whole JSON body (an empty body gives `data: undefined`). */
  async requestJson(init: TransportRequestInit, options: SendOptions = {}): Promise<JsonResponse> {
    if (this.#closed) throw this.#refusal(init);
    const attempt = new AttemptSignal(options.signal, options.timeout ?? this.#options.timeout);
    const started = this.#options.logger.enabled('info') ? performance.now() : 0;
    const limitBytes = this.#limitOf(options);
    this.#inFlight.add(attempt);
    try {
      // A form is encoded here, once: the JSON path below stays as it was.
      if (init.form !== undefined) init = await withEncodedForm(init, init.form);
      // Serialised once: sent as is, and a server billing per MB counts these same bytes.
      const payload = init.body === undefined ? undefined : bodyPayload(init.body);
      const sentBytes = payload === undefined ? 0 : payloadBytes(payload);
      const tooLarge: TooLarge = (response, receivedBytes, declaredBytes) =>
        responseTooLarge({
          target: this.#options.redactor.text(`${init.method} ${init.url}`),
          phase: 'body',
          limitBytes,
          receivedBytes,
          declaredBytes,
          sentBytes,
          status: response.status,
          requestId: response.requestId,
        });
      const answer =
        this.#handler === undefined
          ? await this.#collect(init, payload, attempt, started, limitBytes, tooLarge)
          : await this.#collectThroughMiddleware(init, payload, attempt, started, limitBytes, tooLarge);
      const { text } = answer;
      const info: ResponseInfo = {
        status: answer.status,
        headers: answer.headers,
        requestId: answer.requestId,
        bodyBytes: { sent: sentBytes, received: answer.receivedBytes },
      };
      if (text.length === 0) return { data: undefined, response: info };
      try {
        return { data: JSON.parse(text), response: info };
      } catch {
        // Only now pay for a trimmed copy: blank bodies are rare, and JSON.parse refuses them.
        if (text.trim() === '') return { data: undefined, response: info };
        const contentType = answer.headers['content-type'] ?? 'no content type';
        const snippet = this.#options.redactor.text(text.replace(/\s+/g, ' ').trim().slice(0, 120));
        const requestIdText = answer.requestId ? ` (request id ${answer.requestId})` : '';
        throw new ValidationError(
          `Expected JSON from ${init.method} ${init.url} but got ${contentType}: "${snippet}"${requestIdText}`,
          {
            issues: [{ path: '', message: `not JSON (${contentType})` }],
            subject: 'response',
            requestId: answer.requestId,
          },
        );
      }
    } catch (error) {
      const context = { method: init.method, url: init.url, attempt, redactor: this.#options.redactor };
      const mapped = mapNetworkError(error, context);
      this.#logFailure(init, mapped, started);
      throw mapped;
    } finally {
      attempt.dispose();
      this.#inFlight.delete(attempt);
    }
  }

  /**
   * Sends a request and resolves once a 2xx response's headers arrive. The body is handed over
   * unread; the timeout covers only the headers, the caller's signal covers the whole body.
   */
  async requestStream(init: TransportRequestInit, options: SendOptions = {}): Promise<TransportResponse> {
    if (this.#closed) throw this.#refusal(init);
    const attempt = new AttemptSignal(options.signal, options.timeout ?? this.#options.timeout);
    const started = this.#options.logger.enabled('info') ? performance.now() : 0;
    const limitBytes = this.#limitOf(options);
    const inFlight = this.#inFlight;
    inFlight.add(attempt);
    let payload: string | undefined;
    let response: TransportResponse;
    try {
      // Serialised once: sent as is, and counted as the bytes the server reads and meters.
      payload = init.body === undefined ? undefined : JSON.stringify(init.body);
      response = await this.#start(init, payload, attempt, started, limitBytes);
    } catch (error) {
      attempt.dispose();
      inFlight.delete(attempt);
      const mapped = mapNetworkError(error, {
        method: init.method,
        url: init.url,
        attempt,
        redactor: this.#options.redactor,
      });
      this.#logFailure(init, mapped, started);
      throw mapped;
    }
    attempt.stopTimer();
    const context = {
      method: init.method,
      url: init.url,
      attempt,
      redactor: this.#options.redactor,
      bodyPhase: 'stream' as const,
    };
    const byteCount = new BodyByteCount(payload === undefined ? 0 : Buffer.byteLength(payload));
    const tooLarge = () =>
      responseTooLarge({
        target: this.#options.redactor.text(`${init.method} ${init.url}`),
        phase: 'stream',
        limitBytes,
        receivedBytes: byteCount.received,
        sentBytes: byteCount.sent,
        status: response.status,
        requestId: response.requestId,
      });
    async function* guardedBody(): AsyncGenerator<Uint8Array> {
      try {
        // A Node stream (undici's body) drops what it buffered when it breaks; keep every byte that arrived.
        const source = response.body instanceof Readable ? retainedBody(response.body) : response.body;
        for await (const chunk of source) {
          const room = limitBytes - byteCount.received;
          byteCount.addReceived(chunk.byteLength);
          if (chunk.byteLength <= room) {
            yield chunk;
            continue;
          }
          // What fits is handed on first, so the events before the limit are not lost; leaving the
          // loop then destroys the body, which closes its socket.
          if (room > 0) yield chunk.subarray(0, room);
          throw tooLarge();
        }
      } catch (error) {
        throw mapNetworkError(error, context);
      } finally {
        attempt.dispose();
        inFlight.delete(attempt);
      }
    }
    return { ...infoOf(response), body: guardedBody(), bodyByteCount: byteCount };
  }

  /**
   * Stops taking requests and ends those under way: after `graceMs` (0 by default), whatever
   * is still in flight — a JSON call waiting for its answer, a stream's body — is aborted, and
   * fails with an `AbortError` (code `client_closed`). During the grace, calls already under way
   * may still retry or resume; after it, every request fails at once with that error. Idempotent:
   * later calls get the first one's promise.
   *
   * @example
   * await transport.close(5_000); // up to 5 s for what is in flight, then abort it
   */
  close(graceMs = 0): Promise<void> {
    this.#closing ??= this.#inFlight.idle(graceMs).then(() => {
      this.#closed = true;
      this.#inFlight.abortAll();
    });
    return this.#closing;
  }

  /** The call's own limit, else the transport's. */
  #limitOf(options: SendOptions): number {
    return options.maxResponseBytes ?? this.maxResponseBytes;
  }

  #refusal(init: TransportRequestInit): AiaasError {
    return clientClosedError(this.#options.redactor.text(`${init.method} ${init.url}`), 'connect');
  }

  /** A JSON attempt without middleware: straight over the dispatcher, the body collected as it arrives. */
  async #collect(
    init: TransportRequestInit,
    payload: Payload | undefined,
    attempt: AttemptSignal,
    started: number,
    limitBytes: number,
    tooLarge: TooLarge,
  ): Promise<CollectedAnswer> {
    const headers = this.#headersFor(payload !== undefined, init.headers);
    const answer = await collectOverUndici(this.#options, init.method, init.url, headers, payload, attempt, {
      limitBytes,
      errorLimitBytes: Math.min(errorBodyLimit, limitBytes),
      expectsBody: init.method !== 'HEAD',
      tooLarge,
    });
    if (!isSuccess(answer.status)) throw this.#statusError(init, answer, started, answer.text);
    this.#logAnswer(init, answer, started);
    return answer;
  }

  /** A JSON attempt through the middleware, which sees (and may replace) the response and its body. */
  async #collectThroughMiddleware(
    init: TransportRequestInit,
    payload: Payload | undefined,
    attempt: AttemptSignal,
    started: number,
    limitBytes: number,
    tooLarge: TooLarge,
  ): Promise<CollectedAnswer> {
    const response = await this.#start(init, payload, attempt, started, limitBytes);
    const text = await readResponseText(response.body, {
      limitBytes,
      declaredBytes: declaredBodyBytes(init, response),
      tooLarge: (receivedBytes, declaredBytes) => tooLarge(response, receivedBytes, declaredBytes),
    });
    return { ...infoOf(response), text, receivedBytes: Buffer.byteLength(text) };
  }

  /** Runs middleware and the request; throws the APIError for a non-2xx status. */
  async #start(
    init: TransportRequestInit,
    payload: Payload | undefined,
    attempt: AttemptSignal,
    started: number,
    limitBytes: number,
  ): Promise<TransportResponse> {
    const headers = this.#headersFor(payload !== undefined, init.headers);
    let response: TransportResponse;
    if (this.#handler === undefined) {
      // No middleware: undici gets the attempt itself as its signal and the body serialised once.
      response = await sendOverUndici(this.#options, init.method, init.url, headers, payload, attempt);
    } else {
      const request: TransportRequest = {
        method: init.method,
        url: init.url,
        headers,
        ...(payload === undefined ? {} : { body: typeof payload === 'string' ? init.body : payload }),
        // Made on first use: middleware that never looks at it costs no AbortController.
        get signal() {
          return attempt.signal;
        },
      };
      response = await this.#handler(request);
    }
    attempt.phase = 'body';
    if (isSuccess(response.status)) {
      this.#logAnswer(init, response, started);
      return response;
    }
    const bodyText = await readBodyText(response.body, Math.min(errorBodyLimit, limitBytes)).catch(() => '');
    throw this.#statusError(init, response, started, bodyText);
  }

  /** The info line of a 2xx answer (and its headers at debug). */
  #logAnswer(init: TransportRequestInit, response: AnswerInfo, started: number): void {
    const { logger } = this.#options;
    if (!logger.enabled('info')) return;
    const fields = responseFields(init, response, started);
    logger.info(summaryOf(fields), fields);
    logger.debug('response headers', { ...fields, headers: response.headers });
  }

  /** The `APIError` of a non-2xx answer, made from its error body's text, logged once. */
  #statusError(
    init: TransportRequestInit,
    response: AnswerInfo,
    started: number,
    bodyText: string,
  ): AiaasError {
    const { logger } = this.#options;
    const error = apiErrorFromResponse(infoOf(response), bodyText, this.#options.redactor);
    if (logger.enabled('info')) {
      const fields = responseFields(init, response, started);
      logger.info(`${summaryOf(fields)}: ${error.message}`, {
        ...fields,
        code: error.code,
        retryable: error.retryable,
        error: error.message,
      });
      logger.debug('error response', { ...fields, headers: response.headers, body: bodyText });
    }
    return error;
  }

  /** One info line for an attempt that got no usable response: refused, reset, timed out, aborted, unreadable, too large. */
  #logFailure(init: TransportRequestInit, error: AiaasError, started: number): void {
    // A response with an error status was logged where it arrived (a body too large was not: its status was 2xx).
    if (error instanceof APIError || !this.#options.logger.enabled('info')) return;
    const durationMs = Math.round(performance.now() - started);
    this.#options.logger.info(`${init.method} ${init.url} failed after ${durationMs} ms: ${error.message}`, {
      method: init.method,
      url: init.url,
      durationMs,
      phase: error.phase,
      retryable: error.retryable,
      ...errorFields(error),
    });
  }

  /** The default headers (lower-cased once, with and without a JSON content type) and the call's own. */
  #headersFor(
    hasBody: boolean,
    callHeaders: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> {
    const defaults = hasBody ? this.#jsonDefaultHeaders : this.#defaultHeaders;
    const merged: Record<string, string> = {};
    for (const name in defaults) merged[name] = defaults[name] as string;
    if (callHeaders !== undefined) {
      for (const name in callHeaders) {
        if (Object.hasOwn(callHeaders, name)) merged[name.toLowerCase()] = callHeaders[name] as string;
      }
    }
    return merged;
  }

  /** The innermost handler, behind middleware: the real request over the dispatcher. */
  readonly #dispatch: TransportHandler = async (request) =>
    sendOverUndici(
      this.#options,
      request.method,
      request.url,
      request.headers,
      request.body === undefined ? undefined : bodyPayload(request.body),
      request.signal,
    );
}

type ResponseFields = {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly durationMs: number;
};

/** The structured fields of an attempt's summary line; the call's operation and attempt are added by the logger. */
function responseFields(
  init: TransportRequestInit,
  response: { status: number; requestId: string | undefined },
  started: number,
): ResponseFields {
  return {
    method: init.method,
    url: init.url,
    status: response.status,
    requestId: response.requestId,
    durationMs: Math.round(performance.now() - started),
  };
}

function summaryOf(fields: ResponseFields): string {
  const requestId = fields.requestId ? ` (request id ${fields.requestId})` : '';
  return `${fields.method} ${fields.url} -> ${fields.status} in ${fields.durationMs} ms${requestId}`;
}

type AnswerInfo = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
};

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function infoOf(response: AnswerInfo): {
  status: number;
  headers: Readonly<Record<string, string>>;
  requestId: string | undefined;
} {
  return { status: response.status, headers: response.headers, requestId: response.requestId };
}
