import { z } from 'zod';
import { parseWire } from '../validate-wire.js';
import { currencyCodeSchema, decimalStringSchema } from './rate-card-schemas.js';

const count = z.number().int().nonnegative();

/** Usage the server metered for one attempt; input and output tokens are totals (no cache or reasoning split). */
export const serverUsageCountsSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  compute_ms: count,
  bytes_in: count,
  bytes_out: count,
  tensor_elements: count,
  requests: count,
  /** Seconds a deployed model was READY (records of deployment time; 0 on request records and older files). */
  deployed_seconds: count.optional(),
  /** Examples trained on, examples × epochs (records of fine-tuning; 0 or absent elsewhere). */
  trained_examples: count.optional(),
});

/** One billing record: one attempt that did work, for the calling tenant. */
export const serverUsageRecordSchema = z.looseObject({
  id: z.string().min(1),
  request_id: z.string().min(1),
  /** The API key's id, never the key. */
  tenant: z.string(),
  model: z.string().min(1),
  idempotency_key: z.string().nullable(),
  attempt: count,
  status: z.enum(['ok', 'error', 'aborted']),
  time: z.iso.datetime({ offset: true }),
  usage: serverUsageCountsSchema,
  cost: z.looseObject({ amount: decimalStringSchema, currency: currencyCodeSchema }),
});

/**
 * The body of the reference server's `GET /v1/usage`: the caller's billing records and the
 * totals per currency, money as decimal strings.
 *
 * @example
 * {
 *   "object": "list",
 *   "data": [{ "id": "bill_1", "request_id": "req_1", "tenant": "key_1", "model": "ref-chat",
 *     "idempotency_key": "idem_1", "attempt": 1, "status": "ok", "time": "2025-01-01T00:00:00.000Z",
 *     "usage": { "input_tokens": 12, "output_tokens": 8, "compute_ms": 31, "bytes_in": 310,
 *                "bytes_out": 922, "tensor_elements": 0, "requests": 1 },
 *     "cost": { "amount": "0.000018", "currency": "USD" } }],
 *   "totals": { "USD": "0.000018" }
 * }
 */
export const serverUsageListSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(serverUsageRecordSchema),
  totals: z.record(currencyCodeSchema, decimalStringSchema),
});

export type ServerUsageCounts = z.infer<typeof serverUsageCountsSchema>;
export type ServerUsageRecord = z.infer<typeof serverUsageRecordSchema>;
export type ServerUsageList = z.infer<typeof serverUsageListSchema>;

/**
 * Validates a `GET /v1/usage` body; a mismatch is a ValidationError naming the field.
 *
 * @example
 * const usage = parseServerUsage(await (await fetch(`${server.url}/v1/usage`, { headers })).json());
 */
export function parseServerUsage(json: unknown): ServerUsageList {
  return parseWire(serverUsageListSchema, json, { subject: 'response', what: 'server usage list' });
}
