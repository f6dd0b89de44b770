import type { Money } from '../../cost/money.js';
import type { BilledUsage } from '../../wire/aiaas/billed-usage.js';
import { randomIdSource } from '../http/random-id-source.js';

/** How the attempt ended: answered, failed (an error or an injected fault), or cut by the client. */
export type BillingStatus = 'ok' | 'error' | 'aborted';

/**
 * One billed attempt: exactly a record of `GET /v1/usage` (`serverUsageRecordSchema` in the
 * cost layer). A type alias, not an interface, so it is assignable to the schema's type.
 */
export type BillingRecord = {
  id: string;
  request_id: string;
  /** The API key's tenant id, never the key. */
  tenant: string;
  model: string;
  idempotency_key: string | null;
  attempt: number;
  status: BillingStatus;
  /** ISO 8601 with `Z`. */
  time: string;
  usage: {
    input_tokens: number;
    output_tokens: number;
    compute_ms: number;
    bytes_in: number;
    bytes_out: number;
    tensor_elements: number;
    requests: number;
    deployed_seconds: number;
    trained_examples: number;
  };
  cost: { amount: string; currency: string };
};

export interface BillingRecordInput {
  requestId: string;
  tenant: string;
  model: string;
  idempotencyKey: string | undefined;
  /** The attempt of the logical call (1 for a request without an Idempotency-Key). */
  attempt: number;
  status: BillingStatus;
  usage: BilledUsage;
  cost: Money;
  /** Default: now. */
  time?: Date;
}

// `bill_` and 32 hex digits: 128 random bits.
const newRecordId = randomIdSource('bill_', 16, 256);

// Records settle thousands a second: one ISO string per millisecond, not one Date per record.
let isoMillisecond = Number.NaN;
let isoText = '';

function isoNow(): string {
  const now = Date.now();
  if (now !== isoMillisecond) {
    isoMillisecond = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/**
 * Builds the record of one attempt that did work (an attempt that did none, such as a replay
 * or a fault before any inference, gets no record).
 *
 * @example
 * const usage = meterUsage(context.meter.snapshot());
 * ledger.record(createBillingRecord({ requestId, tenant: context.tenant.id, model, idempotencyKey, attempt,
 *   status: 'ok', usage, cost: priceUsage(card, model, usage) }));
 */
export function createBillingRecord(input: BillingRecordInput): BillingRecord {
  return {
    id: newRecordId(),
    request_id: input.requestId,
    tenant: input.tenant,
    model: input.model,
    idempotency_key: input.idempotencyKey ?? null,
    attempt: input.attempt,
    status: input.status,
    time: input.time === undefined ? isoNow() : input.time.toISOString(),
    usage: {
      input_tokens: input.usage.inputTokens,
      output_tokens: input.usage.outputTokens,
      compute_ms: input.usage.computeMs,
      bytes_in: input.usage.bytesIn,
      bytes_out: input.usage.bytesOut,
      tensor_elements: input.usage.tensorElements,
      requests: input.usage.requests,
      deployed_seconds: input.usage.deployedSeconds,
      trained_examples: input.usage.trainedExamples,
    },
    cost: input.cost.toJSON(),
  };
}
