import type { RequestContext } from '../http/request-context.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import type { Settlement } from '../http/request-settlement.js';
import type { ServerLogger } from '../server-logger.js';
import type { BillingLedger } from './billing-ledger.js';
import { createBillingRecord } from './billing-record.js';
import { billingStatusOf } from './billing-status.js';
import { meterUsage } from './metered-usage.js';
import { priceUsage } from './price-usage.js';
import type { RateCard } from './rate-card.js';

export interface BillingInterceptorOptions {
  ledger: BillingLedger;
  card: RateCard;
  logger: ServerLogger;
}

function recordAttempt(
  options: BillingInterceptorOptions,
  context: RequestContext,
  settlement: Settlement,
  threw: boolean,
): void {
  const model = context.model;
  // No model ran (a validation error, a fault before inference): no work was done, nothing is billed.
  if (model === undefined) return;
  const usage = meterUsage(context.meter.snapshot());
  const status = billingStatusOf({
    settlement,
    threw,
    workAborted: context.workAborted,
    keptForRetry: context.outlivesClient,
  });
  try {
    options.ledger.record(
      createBillingRecord({
        requestId: context.requestId,
        tenant: context.tenant.id,
        model,
        idempotencyKey: context.idempotencyKey,
        attempt: context.attempt,
        status,
        usage,
        cost: priceUsage(options.card, model, usage),
      }),
    );
  } catch (error) {
    // The answer has gone out already; a record that could not be kept is an operator's problem, loudly.
    options.logger.error('billing record lost', {
      requestId: context.requestId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Bills each attempt that did work, once it has settled (its answer written and any
 * generation ended): the usage the server metered itself (tokens by its tokenizer, compute
 * milliseconds, request and response bytes, input tensor elements), priced by the rate card,
 * recorded with the request id, tenant, model, Idempotency-Key, attempt and status. It sits
 * inside the idempotency layer, so a replayed or resumed answer is never billed again.
 *
 * @example
 * const interceptor = billingInterceptor({ ledger: new BillingLedger(), card: RateCard.default(), logger });
 */
export function billingInterceptor(options: BillingInterceptorOptions): RequestInterceptor {
  return async (context, next) => {
    let threw = false;
    context.settlement.onSettled((settlement) => recordAttempt(options, context, settlement, threw));
    try {
      return await next(context);
    } catch (error) {
      threw = true;
      throw error;
    }
  };
}
