import type { BillingRecord } from './billing-record.js';

/** Which records `/v1/usage` returns: `since` inclusive, `until` exclusive, one model, one logical call. */
export interface UsageFilter {
  since?: Date;
  until?: Date;
  model?: string;
  /** The records of one logical call: a client resolves a timed-out call's charge by its key. */
  idempotencyKey?: string;
}

/** A bad `/v1/usage` query parameter; `param` names it for the 400 answer. */
export class UsageQueryError extends Error {
  readonly param: string;

  constructor(param: string, value: string) {
    super(
      `Invalid ${param} ${JSON.stringify(value)}: expected an ISO 8601 date or date-time, or Unix seconds.`,
    );
    this.name = 'UsageQueryError';
    this.param = param;
  }
}

function parseInstant(param: string, value: string): Date {
  const time = /^\d{1,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(time) || !/^\d/.test(value)) throw new UsageQueryError(param, value);
  return new Date(time);
}

/**
 * Reads `?since=&until=&model=&idempotency_key=` of `GET /v1/usage`. Instants are ISO 8601 (`2025-01-01`,
 * `2025-01-01T12:00:00Z`) or Unix seconds; anything else throws {@link UsageQueryError}.
 *
 * @example
 * parseUsageQuery(new URLSearchParams('since=2025-01-01&model=ref-chat')); // { since: Date, model: 'ref-chat' }
 */
export function parseUsageQuery(query: URLSearchParams): UsageFilter {
  const filter: UsageFilter = {};
  const since = query.get('since');
  const until = query.get('until');
  const model = query.get('model');
  const idempotencyKey = query.get('idempotency_key');
  if (since !== null && since !== '') filter.since = parseInstant('since', since);
  if (until !== null && until !== '') filter.until = parseInstant('until', until);
  if (model !== null && model !== '') filter.model = model;
  if (idempotencyKey !== null && idempotencyKey !== '') filter.idempotencyKey = idempotencyKey;
  return filter;
}

/** True when the record passes the filter. */
export function matchesUsageFilter(record: BillingRecord, filter: UsageFilter): boolean {
  if (filter.model !== undefined && record.model !== filter.model) return false;
  if (filter.idempotencyKey !== undefined && record.idempotency_key !== filter.idempotencyKey) return false;
  const time = Date.parse(record.time);
  if (filter.since !== undefined && time < filter.since.getTime()) return false;
  if (filter.until !== undefined && time >= filter.until.getTime()) return false;
  return true;
}
