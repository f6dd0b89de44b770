import type { DeployedTimeCharge, DeploymentBilling } from '../models/deployment/deployed-time.js';
import type { ServerLogger } from '../server-logger.js';
import type { BillingLedger } from './billing-ledger.js';
import { createBillingRecord } from './billing-record.js';
import { priceUsage } from './price-usage.js';
import type { RateCard } from './rate-card.js';

/**
 * Records deployed models' READY time in the billing ledger: one record per charge, its
 * `deployed_seconds` priced at the model's `per_hour_deployed` rate (exactly, as every charge),
 * naming the request that loaded the model.
 *
 * @example
 * deployments.attachBilling(deploymentBilling(ledger, card, logger));
 */
export function deploymentBilling(
  ledger: BillingLedger,
  card: RateCard,
  logger: ServerLogger,
): DeploymentBilling {
  return {
    isPriced: (model) => card.prices(model),
    bill(charge: DeployedTimeCharge) {
      const usage = {
        inputTokens: 0,
        outputTokens: 0,
        computeMs: 0,
        bytesIn: 0,
        bytesOut: 0,
        tensorElements: 0,
        requests: 0,
        deployedSeconds: charge.seconds,
        trainedExamples: 0,
      };
      try {
        ledger.record(
          createBillingRecord({
            requestId: charge.requestId,
            tenant: charge.tenant,
            model: charge.model,
            idempotencyKey: undefined,
            attempt: 1,
            status: 'ok',
            usage,
            cost: priceUsage(card, charge.model, usage),
          }),
        );
      } catch (error) {
        logger.error('billing record lost', {
          requestId: charge.requestId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
