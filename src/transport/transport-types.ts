import type { BodyByteCount } from './body-byte-count.js';

/** HTTP methods the SDK sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

/** What a call needs from the transport: a method, a full URL, extra headers and a JSON body. */
export interface TransportRequestInit {
  method: HttpMethod;
  url: string;
  headers?: Readonly<Record<string, string>> | undefined;
  /** A JSON value; the transport serialises it and sets `content-type`. */
  body?: unknown;
  /**
   * A multipart form (a file upload) instead of `body`: encoded once per attempt and sent with
   * its own `multipart/form-data` content type. Only `requestJson` sends one.
   */
  form?: FormData | undefined;
}

/**
 * One HTTP attempt as middleware sees it: headers already merged (defaults, provider, call),
 * and the signal that ends the attempt (caller abort or the attempt's timeout).
 */
export interface TransportRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value, or a form's encoded bytes (`Uint8Array`). */
  readonly body?: unknown;
  readonly signal: AbortSignal;
}

/** Status, headers (lower-case names) and the `x-request-id` the server sent, if any. */
export interface ResponseInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
  /**
   * Body sizes on the wire, for a JSON call read whole (not streams): request bytes sent and
   * response bytes received. Providers that bill by data volume meter exactly these.
   */
  readonly bodyBytes?: { readonly sent: number; readonly received: number };
}

/**
 * A response whose body has not been read: the streaming layer consumes `body` chunk by
 * chunk. Errors while reading it are already aiaas errors (`ConnectionError`, `TimeoutError`,
 * `AbortError`).
 */
export interface TransportResponse extends ResponseInfo {
  readonly body: AsyncIterable<Uint8Array>;
  /**
   * Streams only: the request bytes sent and the response bytes read so far, counted live as
   * `body` is consumed (a stream's usage needs the bytes that really arrived, even if it broke).
   */
  readonly bodyByteCount?: BodyByteCount;
}

/** Sends one request and resolves with the response once its headers arrive. */
export type TransportHandler = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * Wraps each HTTP attempt: add headers, log, measure, or answer without the network.
 *
 * @example
 * const timing: Middleware = (next) => async (request) => {
 *   const started = performance.now();
 *   const response = await next(request);
 *   metrics.observe(request.url, performance.now() - started, response.status);
 *   return response;
 * };
 */
export type Middleware = (next: TransportHandler) => TransportHandler;

/** Per-call transport options. */
export interface SendOptions {
  signal?: AbortSignal | undefined;
  /** Milliseconds for this attempt: headers and body for JSON calls, headers only for streams. */
  timeout?: number | undefined;
  /** The most bytes read from the response body, overriding the transport's `maxResponseBytes`. */
  maxResponseBytes?: number | undefined;
}

/** A JSON call's parsed body (not yet validated) with the response it came from. */
export interface JsonResponse {
  readonly data: unknown;
  readonly response: ResponseInfo;
}
