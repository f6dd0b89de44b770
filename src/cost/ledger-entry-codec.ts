import { z } from 'zod';
import { currencyCodeSchema, decimalStringSchema } from '../wire/aiaas/rate-card-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import type { LedgerEntry } from './ledger-entry.js';
import { Money } from './money.js';
import { makeUsage, USAGE_BUCKETS, type UsageCount } from './usage.js';

const usageCountSchema = z.strictObject({
  value: z.number().int().nonnegative(),
  provenance: z.enum(['reported', 'recovered', 'estimated']),
});

/**
 * A ledger entry as stored (JSONL line, SQLite row): money as a decimal string, time as ISO,
 * and only the usage buckets that say something (a reported zero is left out).
 */
export const ledgerRecordSchema = z.strictObject({
  v: z.literal(1),
  id: z.string().min(1),
  requestId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  attempt: z.number().int().nonnegative(),
  model: z.string().min(1),
  provider: z.string().min(1),
  usage: z.partialRecord(z.enum(USAGE_BUCKETS), usageCountSchema),
  cost: z.strictObject({ amount: decimalStringSchema, currency: currencyCodeSchema }).nullable(),
  tags: z.record(z.string(), z.string()),
  apiKeyId: z.string().optional(),
  time: z.iso.datetime({ offset: true }),
  status: z.enum(['ok', 'error', 'aborted']),
});

export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

/**
 * The stored form of an entry (for custom stores).
 *
 * @example
 * await redis.rpush('ledger', JSON.stringify(ledgerEntryToRecord(entry)));
 */
export function ledgerEntryToRecord(entry: LedgerEntry): LedgerRecord {
  const usage: Partial<Record<(typeof USAGE_BUCKETS)[number], UsageCount>> = {};
  for (const bucket of USAGE_BUCKETS) {
    const count = entry.usage[bucket];
    if (count.value !== 0 || count.provenance !== 'reported') usage[bucket] = count;
  }
  return {
    v: 1,
    id: entry.id,
    requestId: entry.requestId,
    idempotencyKey: entry.idempotencyKey,
    attempt: entry.attempt,
    model: entry.model,
    provider: entry.provider,
    usage,
    cost: entry.cost === null ? null : entry.cost.toJSON(),
    tags: { ...entry.tags },
    ...(entry.apiKeyId === undefined ? {} : { apiKeyId: entry.apiKeyId }),
    time: entry.time.toISOString(),
    status: entry.status,
  };
}

/**
 * Reads a stored record back; a record that does not validate throws a ValidationError naming the field.
 *
 * @example
 * const entry = ledgerEntryFromRecord(JSON.parse(line));
 */
export function ledgerEntryFromRecord(value: unknown): LedgerEntry {
  const record = parseWire(ledgerRecordSchema, value, { subject: 'response', what: 'ledger record' });
  return Object.freeze({
    id: record.id,
    requestId: record.requestId,
    idempotencyKey: record.idempotencyKey,
    attempt: record.attempt,
    model: record.model,
    provider: record.provider,
    usage: makeUsage(record.usage),
    cost: record.cost === null ? null : Money.of(record.cost.amount, record.cost.currency),
    tags: Object.freeze({ ...record.tags }),
    ...(record.apiKeyId === undefined ? {} : { apiKeyId: record.apiKeyId }),
    time: new Date(record.time),
    status: record.status,
  });
}
