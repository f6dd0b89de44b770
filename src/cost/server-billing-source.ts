import { type Dispatcher, request } from 'undici';
import { ConnectionError, ValidationError } from '../errors/index.js';
import { apiErrorFromResponse } from '../transport/api-error-from-response.js';
import { createRedactor, type Redactor } from '../transport/redactor.js';
import { normalizeResponseHeaders } from '../transport/response-headers.js';
import { parseServerUsage, type ServerUsageRecord } from '../wire/aiaas/server-usage-schemas.js';
import type {
  BillingRecordFilter,
  BillingRecordSource,
  ProviderBillingRecord,
} from './billing-record-source.js';
import { Money } from './money.js';
import { serverUsageFields } from './server-usage-fields.js';
import { makeUsage } from './usage.js';

export interface ServerBillingSourceOptions {
  /** The server, as the client is given it: a bare origin gets `/v1` appended, any other path is kept. */
  baseURL: string;
  /** The key whose tenant's records are read (each key sees only its own); null for a keyless server. */
  apiKey: string | null;
  /** Names the provider in recovered entries that no reservation names. Default `aiaas`. */
  name?: string;
  /** An undici Dispatcher (Agent, ProxyAgent, MockAgent); default undici's global one. */
  dispatcher?: Dispatcher;
  /** For the headers and for the body, each. Default 30,000 ms. */
  timeoutMs?: number;
}

/**
 * aiaas/server's billing (`GET /v1/usage`) as a {@link BillingRecordSource}: every attempt the
 * server did work for, with its request id, idempotency key, metered usage and exact cost. The
 * API key never appears in an error.
 *
 * @example
 * const provider = new ServerBillingSource({ baseURL: 'http://127.0.0.1:8000', apiKey: process.env.AIAAS_API_KEY ?? null });
 * const result = await recoverUsage({ ledger, budget, provider });
 */
export class ServerBillingSource implements BillingRecordSource {
  readonly name: string;
  readonly #options: ServerBillingSourceOptions;
  readonly #redactor: Redactor;
  readonly #url: URL;

  constructor(options: ServerBillingSourceOptions) {
    this.#options = options;
    this.name = options.name ?? 'aiaas';
    this.#redactor = createRedactor([options.apiKey]);
    this.#url = usageUrl(options.baseURL);
  }

  async records(filter: BillingRecordFilter = {}): Promise<ProviderBillingRecord[]> {
    const url = new URL(this.#url);
    if (filter.since !== undefined) url.searchParams.set('since', filter.since.toISOString());
    if (filter.until !== undefined) url.searchParams.set('until', filter.until.toISOString());
    if (filter.model !== undefined) url.searchParams.set('model', filter.model);
    if (filter.idempotencyKey !== undefined) url.searchParams.set('idempotency_key', filter.idempotencyKey);
    const target = this.#redactor.text(`GET ${url}`);
    const timeout = this.#options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#options.apiKey !== null) headers.authorization = `Bearer ${this.#options.apiKey}`;
    let status: number;
    let responseHeaders: Record<string, string>;
    let text: string;
    try {
      const response = await request(url, {
        method: 'GET',
        headers,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(this.#options.dispatcher === undefined ? {} : { dispatcher: this.#options.dispatcher }),
      });
      status = response.statusCode;
      responseHeaders = normalizeResponseHeaders(response.headers);
      text = await response.body.text();
    } catch (error) {
      const detail = this.#redactor.text(error instanceof Error ? error.message : String(error));
      throw new ConnectionError(
        `Could not read the billing records (${target}): ${detail}. Is the server running and the base URL right?`,
        { phase: 'connect' },
      );
    }
    const requestId = responseHeaders['x-request-id'];
    if (status >= 400) {
      throw apiErrorFromResponse({ status, headers: responseHeaders, requestId }, text, this.#redactor);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ValidationError(`The billing records (${target}) are not JSON.`, {
        issues: [{ path: '', message: 'not JSON' }],
        subject: 'response',
      });
    }
    return parseServerUsage(json).data.map(toBillingRecord);
  }
}

function usageUrl(baseURL: string): URL {
  const url = new URL(baseURL);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/usage`;
  url.search = '';
  return url;
}

/** A `GET /v1/usage` record as recovery sees it: counts tagged `recovered`, money exact. */
export function toBillingRecord(record: ServerUsageRecord): ProviderBillingRecord {
  return Object.freeze({
    id: record.id,
    requestId: record.request_id,
    idempotencyKey: record.idempotency_key,
    attempt: record.attempt,
    model: record.model,
    status: record.status,
    time: new Date(record.time),
    usage: makeUsage(serverUsageFields(record), 'recovered'),
    cost: Money.of(record.cost.amount, record.cost.currency),
  });
}
