import { badRequest } from '../http/http-error.js';
import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import type { BillingLedger } from './billing-ledger.js';
import { parseUsageQuery, type UsageFilter, UsageQueryError } from './usage-filter.js';

function filterOf(query: URLSearchParams): UsageFilter {
  try {
    return parseUsageQuery(query);
  } catch (error) {
    if (error instanceof UsageQueryError) throw badRequest(error.message, error.param);
    throw error;
  }
}

/**
 * `GET /v1/usage?since=&until=&model=&idempotency_key=`: the calling tenant's billing records
 * (one per attempt that did work) and their exact totals per currency, for reconciling a client
 * ledger, or (by key) for resolving the charge of one call whose answer the client never got.
 * Another tenant's records are never visible: the tenant comes from the API key alone.
 * `since` is inclusive, `until` exclusive; both take ISO 8601 or Unix seconds.
 *
 * @example
 * const routes = [usageRoute(ledger, (tenant) => deployments.accrue(tenant))];
 */
export function usageRoute(ledger: BillingLedger, beforeListing?: (tenant: string) => void): Route {
  return {
    method: 'GET',
    path: '/v1/usage',
    async handle(context) {
      // Charges that accrue with time (deployed models) are billed up to now first.
      beforeListing?.(context.tenant.id);
      return jsonResponse(ledger.usageResponse(context.tenant.id, filterOf(context.query)));
    },
  };
}
