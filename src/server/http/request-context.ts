import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { BodyBufferBudget } from './body-buffer-budget.js';
import type { ClientDisconnect } from './client-disconnect.js';
import { type DetachedWork, detachedWorkSignal } from './detached-work-signal.js';
import type { Dialect } from './error-body.js';
import { HttpError } from './http-error.js';
import { lingerAfterAnswer } from './lingering-close.js';
import { parseJsonBody, readRequestBody, requestBodyChunks } from './request-body.js';
import { RequestSettlement } from './request-settlement.js';
import type { Route } from './route-table.js';
import type { StreamFaults } from './stream-faults.js';
import { UsageMeter } from './usage-meter.js';

/** Who is calling: one tenant per API key; `anonymous` when the server runs without keys. */
export interface Tenant {
  /** `key_` plus a short hash of the key: safe to log and to store, never the key itself. */
  id: string;
}

export const anonymousTenant: Tenant = { id: 'anonymous' };

/** How a response ended: its status, and whether the client left before it was complete. */
export interface ResponseOutcome {
  status: number;
  disconnected: boolean;
}

export interface RequestContextInit {
  request: IncomingMessage;
  requestId: string;
  dialect: Dialect;
  path: string;
  /** The request target after `?`, empty when there is none. */
  queryString: string;
  route: Route;
  params: Readonly<Record<string, string>>;
  bodyLimitBytes: number;
  /** Bounds the bytes of bodies buffered at once, in total and per tenant. Default: unbounded. */
  bodyBudget?: BodyBufferBudget | undefined;
  /** The client's disconnect, which the dispatcher fires when the response closes early. */
  disconnect: ClientDisconnect;
  /** Fires when the server starts closing. Default: never. */
  closing?: AbortSignal | undefined;
  /** How long the work of a POST with an Idempotency-Key may go on after its client left. Default 30 s. */
  detachedWorkLimitMs?: number | undefined;
  /** Turns anything thrown into the error to answer with (and logs bugs). Default: a bare 500. */
  errorOf?: (error: unknown) => HttpError;
}

/** Work that outlives a disconnect is bounded by this by default; see {@link detachedWorkSignal}. */
export const defaultDetachedWorkLimitMs = 30_000;

const neverClosing = new AbortController().signal;

function bareInternalError(error: unknown): HttpError {
  return error instanceof HttpError ? error : new HttpError(500, 'The server failed on this request.');
}

/**
 * Everything the server knows about one request while serving it: identity, the matched
 * route, the tenant (set by authentication), the idempotency key and the attempt number, an
 * abort signal that fires when the client disconnects and one that says when the work
 * should stop, a usage meter, the model billed, and the settlement that billing and rate
 * limits wait on. Interceptors and routes all work on this one object.
 *
 * @example
 * const body = await context.readJson();
 * context.meter.addTokens({ input: 12 });
 */
export class RequestContext {
  readonly requestId: string;
  readonly dialect: Dialect;
  readonly method: string;
  readonly path: string;
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly idempotencyKey: string | undefined;
  readonly closing: AbortSignal;
  readonly meter = new UsageMeter();
  readonly settlement = new RequestSettlement();
  readonly receivedAt = Date.now();
  readonly errorOf: (error: unknown) => HttpError;
  tenant: Tenant = anonymousTenant;
  /** Attempt of the logical call (tenant + Idempotency-Key), set by the fault interceptor; 1 without a key. */
  attempt = 1;
  /** The served model the request runs, set by a route as inference starts: only such requests are billed. */
  model: string | undefined;
  /** Faults to act out on this request's event stream, set by the fault interceptor. */
  streamFaults: StreamFaults = {};
  /** Headers every answer to this request carries, errors included (rate limits, an injected fault). */
  readonly responseHeaders: Record<string, string> = {};
  readonly #detachedWork: DetachedWork | undefined;
  readonly #stopWork: AbortController | undefined;
  readonly #request: IncomingMessage;
  readonly #bodyLimitBytes: number;
  readonly #bodyBudget: BodyBufferBudget | undefined;
  readonly #disconnect: ClientDisconnect;
  readonly #queryString: string;
  #query: URLSearchParams | undefined;
  #body: Promise<Buffer> | undefined;
  #json: Promise<unknown> | undefined;
  readonly #finishListeners: ((outcome: ResponseOutcome) => void)[] = [];

  constructor(init: RequestContextInit) {
    this.#request = init.request;
    this.#bodyLimitBytes = init.bodyLimitBytes;
    this.#bodyBudget = init.bodyBudget;
    this.requestId = init.requestId;
    this.dialect = init.dialect;
    this.method = init.request.method ?? 'GET';
    this.path = init.path;
    this.#queryString = init.queryString;
    this.route = init.route;
    this.params = init.params;
    this.headers = init.request.headers;
    this.#disconnect = init.disconnect;
    const key = init.request.headers['idempotency-key'];
    // A control route's key names the call it acts on, not this request.
    this.idempotencyKey =
      typeof key === 'string' && key !== '' && init.route.control !== true && init.route.streamsBody !== true
        ? key
        : undefined;
    this.closing = init.closing ?? neverClosing;
    this.errorOf = init.errorOf ?? bareInternalError;
    if (this.method === 'POST' && this.idempotencyKey !== undefined) {
      const limit = init.detachedWorkLimitMs ?? defaultDetachedWorkLimitMs;
      const detached = detachedWorkSignal(this.signal, this.closing, limit);
      const work = new AbortController();
      // Each generated choice (n × prompts of them) listens for the stop: many listeners, no leak.
      setMaxListeners(0, work.signal);
      detached.signal.addEventListener('abort', () => work.abort(detached.signal.reason), { once: true });
      this.#detachedWork = detached;
      this.#stopWork = work;
      // Settled means done: a bounded wait for abandoned work must not outlive it.
      this.settlement.onSettled(() => detached.release());
    }
  }

  /** The query parameters, parsed on first use (few routes read them). */
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#queryString);
    return this.#query;
  }

  /** Fires when the client disconnects. Made on first use (see {@link ClientDisconnect}). */
  get signal(): AbortSignal {
    return this.#disconnect.signal;
  }

  /** True once the client disconnected: `signal.aborted` without making the signal. */
  get disconnected(): boolean {
    return this.#disconnect.aborted;
  }

  /**
   * Fires when the request's work should stop; routes pass it to generation. For most
   * requests that is the disconnect. A POST with an Idempotency-Key keeps working for a
   * while after its client left, so a retry or a resume can collect the answer.
   */
  get workSignal(): AbortSignal {
    return this.#stopWork?.signal ?? this.signal;
  }

  /** True once the request's work was told to stop: `workSignal.aborted` without making a signal. */
  get workAborted(): boolean {
    return this.#stopWork === undefined ? this.#disconnect.aborted : this.#stopWork.signal.aborted;
  }

  /** True when this request's work goes on after a disconnect (see {@link workSignal}). */
  get outlivesClient(): boolean {
    return this.#detachedWork !== undefined;
  }

  /**
   * Stops work that outlives its client (a recorded generation) now, as if its time were up:
   * a cancel, or a stream nobody resumed within the resume window. Other requests' work
   * stops with their client, so this does nothing for them.
   */
  stopWork(reason: Error): void {
    this.#stopWork?.abort(reason);
  }

  /**
   * The raw body, read once (within the size limit and the buffered-bytes budget, charged to
   * the tenant known by then) and cached, so a hash and a parse can share it.
   */
  readBody(): Promise<Buffer> {
    // A streamed body is the route's alone: buffering it here would defeat its own limits.
    if (this.route.streamsBody === true) return Promise.resolve(Buffer.alloc(0));
    if (this.#body === undefined) {
      const reservation = this.#bodyBudget?.reserve(this.tenant.id);
      // The body is held until the request settled: its work (a recorded stream) may outlive the socket.
      if (reservation !== undefined) this.settlement.onSettled(() => reservation.release());
      const read = readRequestBody(this.#request, this.#bodyLimitBytes, reservation, this.route.bodyBuffer);
      this.#body = read.then((body) => {
        this.meter.addBytesIn(body.length);
        return body;
      });
    }
    return this.#body;
  }

  /**
   * The body as it arrives, for a route that {@link Route.streamsBody}: each chunk is metered as
   * bytes in, and nothing is held here. A client that leaves mid-upload ends it with an error.
   */
  bodyChunks(): AsyncGenerator<Buffer> {
    return requestBodyChunks(this.#request, (bytes) => this.meter.addBytesIn(bytes));
  }

  /** Drops the unread rest of a streamed body and closes the connection after the answer. */
  abandonBody(): void {
    lingerAfterAnswer(this.#request);
  }

  /** The body parsed as JSON, once: the metrics interceptor and the route share the parse. */
  readJson(): Promise<unknown> {
    this.#json ??= this.readBody().then(parseJsonBody);
    return this.#json;
  }

  /**
   * Runs `listener` once the response has closed, when the meter holds every byte sent:
   * the hook for metrics. Billing waits for `settlement` instead, which also covers a
   * generation that outlives its socket.
   */
  onFinished(listener: (outcome: ResponseOutcome) => void): void {
    this.#finishListeners.push(listener);
  }

  /** Called by the dispatcher when the response closes. */
  finish(outcome: ResponseOutcome): void {
    for (const listener of this.#finishListeners.splice(0)) listener(outcome);
  }

  /** The first value of a request header, if present. */
  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }
}
