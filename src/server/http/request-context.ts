import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Dialect } from './error-body.js';
import { parseJsonBody, readRequestBody } from './request-body.js';
import type { Route } from './route-table.js';
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
  query: URLSearchParams;
  route: Route;
  params: Readonly<Record<string, string>>;
  bodyLimitBytes: number;
  signal: AbortSignal;
}

/**
 * Everything the server knows about one request while serving it: identity, the matched
 * route, the tenant (set by authentication), the idempotency key, an abort signal that fires
 * when the client disconnects, and a usage meter. Interceptors (auth now; rate limits,
 * idempotency, faults and billing in issue 3) and routes all work on this one object.
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
  readonly query: URLSearchParams;
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly idempotencyKey: string | undefined;
  readonly signal: AbortSignal;
  readonly meter = new UsageMeter();
  readonly receivedAt = Date.now();
  tenant: Tenant = anonymousTenant;
  readonly #request: IncomingMessage;
  readonly #bodyLimitBytes: number;
  #body: Promise<Buffer> | undefined;
  readonly #finishListeners: ((outcome: ResponseOutcome) => void)[] = [];

  constructor(init: RequestContextInit) {
    this.#request = init.request;
    this.#bodyLimitBytes = init.bodyLimitBytes;
    this.requestId = init.requestId;
    this.dialect = init.dialect;
    this.method = init.request.method ?? 'GET';
    this.path = init.path;
    this.query = init.query;
    this.route = init.route;
    this.params = init.params;
    this.headers = init.request.headers;
    this.signal = init.signal;
    const key = init.request.headers['idempotency-key'];
    this.idempotencyKey = typeof key === 'string' && key !== '' ? key : undefined;
  }

  /** The raw body, read once (within the size limit) and cached, so a hash and a parse can share it. */
  readBody(): Promise<Buffer> {
    this.#body ??= readRequestBody(this.#request, this.#bodyLimitBytes).then((body) => {
      this.meter.addRequestBytes(body.length);
      return body;
    });
    return this.#body;
  }

  async readJson(): Promise<unknown> {
    return parseJsonBody(await this.readBody());
  }

  /**
   * Runs `listener` once the response has closed, when the meter holds every byte sent:
   * the hook for billing records and metrics.
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
