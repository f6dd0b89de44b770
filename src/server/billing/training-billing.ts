import { FINE_TUNING_BILLING_MODEL } from '../../wire/aiaas/billed-usage.js';
import type { ServerLogger } from '../server-logger.js';
import type { BillingLedger } from './billing-ledger.js';
import { createBillingRecord } from './billing-record.js';
import { priceUsage } from './price-usage.js';
import type { RateCard } from './rate-card.js';

/** One stretch of a job's training to bill: compute time, and the data trained on in it. */
export interface TrainingCharge {
  tenant: string;
  /** The job: every charge of one job names it as its request. */
  jobId: string;
  /** Wall-clock milliseconds the job's worker trained (a started millisecond counts). */
  computeMs: number;
  /** Bytes of training data trained on (the file's bytes once per epoch). */
  bytes: number;
  /** Examples trained on (the file's examples once per epoch). */
  examples: number;
}

/** Where training is priced and recorded: the billing ledger, through {@link trainingBilling}. */
export interface TrainingBilling {
  bill(charge: TrainingCharge): void;
}

/** The name training is billed under: the rate card prices it like a model (the SDK quotes by it). */
export const trainingBillingModel = FINE_TUNING_BILLING_MODEL;

/**
 * Records fine-tuning in the billing ledger under {@link trainingBillingModel}: one record per
 * charge (each epoch, and the rest when a job ends), naming the job as its request. The
 * compute time is priced `per_compute_second`, the bytes trained `per_mb_in`, the examples
 * trained (examples × epochs, the `trained_examples` bucket) `per_1k_trained_examples`.
 *
 * @example
 * const billing = trainingBilling(ledger, card, logger); // handed to the fine-tuning jobs
 */
export function trainingBilling(
  ledger: BillingLedger,
  card: RateCard,
  logger: ServerLogger,
): TrainingBilling {
  return {
    bill(charge: TrainingCharge) {
      const usage = {
        inputTokens: 0,
        outputTokens: 0,
        computeMs: charge.computeMs,
        bytesIn: charge.bytes,
        bytesOut: 0,
        tensorElements: 0,
        requests: 0,
        deployedSeconds: 0,
        trainedExamples: charge.examples,
      };
      try {
        ledger.record(
          createBillingRecord({
            requestId: charge.jobId,
            tenant: charge.tenant,
            model: trainingBillingModel,
            idempotencyKey: undefined,
            attempt: 1,
            status: 'ok',
            usage,
            cost: priceUsage(card, trainingBillingModel, usage),
          }),
        );
      } catch (error) {
        logger.error('billing record lost', {
          requestId: charge.jobId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
