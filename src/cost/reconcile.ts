import { z } from 'zod';
import { BILLED_BUCKETS } from '../wire/aiaas/billed-usage.js';
import {
  type ServerUsageList,
  type ServerUsageRecord,
  serverUsageRecordSchema,
} from '../wire/aiaas/server-usage-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import { totalsByCurrency } from './ledger.js';
import type { LedgerEntry } from './ledger-entry.js';
import { Money } from './money.js';
import { serverUsageFields } from './server-usage-fields.js';
import { totalInputTokens, totalOutputTokens } from './usage.js';

/** The usage fields compared, at the provider's granularity (tokens as totals). */
export const RECONCILE_FIELDS = BILLED_BUCKETS;

export type ReconcileField = (typeof RECONCILE_FIELDS)[number];

export type ReconcileStatus = 'matched' | 'different' | 'missing-in-provider' | 'missing-in-ledger';

/** One logical call: every ledger entry and provider record linked by idempotency key or request id. */
export interface ReconcileGroup {
  /** The idempotency key, else the request id, else the ledger entry id. */
  key: string;
  idempotencyKey: string | null;
  requestIds: string[];
  status: ReconcileStatus;
  ledgerEntries: LedgerEntry[];
  providerRecords: ServerUsageRecord[];
  usage: {
    ledger: Record<ReconcileField, number>;
    provider: Record<ReconcileField, number>;
    /** Ledger minus provider, only the fields that differ. */
    differences: Partial<Record<ReconcileField, number>>;
  };
  cost: {
    ledger: Record<string, Money>;
    provider: Record<string, Money>;
    /** Ledger minus provider per currency, only the currencies that differ (exact). */
    differences: Record<string, Money>;
  };
  /** Ledger entries with no price (cost null): their spend is missing from `cost.ledger`. */
  unpricedLedgerEntries: number;
}

export interface ReconcileResult {
  groups: ReconcileGroup[];
  counts: Record<ReconcileStatus, number>;
  /** True when no group has a usage or cost difference (a one-sided group of zeros is no difference). */
  zeroDifference: boolean;
  totals: {
    ledger: Record<string, Money>;
    provider: Record<string, Money>;
    difference: Record<string, Money>;
  };
}

export interface ReconcileOptions {
  /** Usage fields to compare. Default: all of {@link RECONCILE_FIELDS}. */
  fields?: readonly ReconcileField[];
}

/**
 * Compares what the client recorded with what the provider billed (the reference server's
 * `GET /v1/usage` records), per logical call. Entries and records are linked when they share an
 * idempotency key or a request id, so retries, resumed streams and replays land in one group
 * whatever each side counted as an attempt.
 *
 * @example
 * const result = reconcile(await ledger.entries(), parseServerUsage(await response.json()));
 * if (!result.zeroDifference) console.table(result.groups.filter((group) => group.status !== 'matched'));
 */
export function reconcile(
  ledgerEntries: readonly LedgerEntry[],
  providerRecords: ServerUsageList | readonly ServerUsageRecord[],
  options: ReconcileOptions = {},
): ReconcileResult {
  const records = parseWire(
    z.array(serverUsageRecordSchema),
    Array.isArray(providerRecords) ? providerRecords : (providerRecords as ServerUsageList).data,
    { subject: 'response', what: 'provider usage records' },
  );
  const fields = options.fields ?? RECONCILE_FIELDS;
  const groups = linkGroups(ledgerEntries, records).map((group) => compareGroup(group, fields));
  const counts: Record<ReconcileStatus, number> = {
    matched: 0,
    different: 0,
    'missing-in-provider': 0,
    'missing-in-ledger': 0,
  };
  for (const group of groups) counts[group.status] += 1;
  const ledgerTotals = totalsByCurrency(ledgerEntries);
  const providerTotals = totalsByCurrency(records.map(recordCost));
  return {
    groups,
    counts,
    zeroDifference: groups.every(
      (group) =>
        Object.keys(group.usage.differences).length === 0 && Object.keys(group.cost.differences).length === 0,
    ),
    totals: {
      ledger: ledgerTotals,
      provider: providerTotals,
      difference: differences(ledgerTotals, providerTotals),
    },
  };
}

type Linked = { ledgerEntries: LedgerEntry[]; providerRecords: ServerUsageRecord[] };

/** Union-find over entries and records, joined by any shared idempotency key or request id. */
function linkGroups(entries: readonly LedgerEntry[], records: readonly ServerUsageRecord[]): Linked[] {
  const items = [
    ...entries.map((entry) => ({ keys: linkKeys(entry.idempotencyKey, entry.requestId), entry })),
    ...records.map((record) => ({ keys: linkKeys(record.idempotency_key, record.request_id), record })),
  ];
  const parent = items.map((_, index) => index);
  const root = (index: number): number => {
    while (parent[index] !== index) {
      parent[index] = parent[parent[index] as number] as number;
      index = parent[index] as number;
    }
    return index;
  };
  const owner = new Map<string, number>();
  items.forEach((item, index) => {
    for (const key of item.keys) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, index);
      else parent[root(index)] = root(other);
    }
  });
  const groups = new Map<number, Linked>();
  items.forEach((item, index) => {
    const id = root(index);
    const group = groups.get(id) ?? { ledgerEntries: [], providerRecords: [] };
    groups.set(id, group);
    if ('entry' in item) group.ledgerEntries.push(item.entry);
    else group.providerRecords.push(item.record);
  });
  return [...groups.values()];
}

function linkKeys(idempotencyKey: string | null, requestId: string | null): string[] {
  const keys: string[] = [];
  if (idempotencyKey !== null) keys.push(`idempotency:${idempotencyKey}`);
  if (requestId !== null) keys.push(`request:${requestId}`);
  return keys;
}

function compareGroup(linked: Linked, fields: readonly ReconcileField[]): ReconcileGroup {
  const { ledgerEntries, providerRecords } = linked;
  const ledgerUsage = sumFields(ledgerEntries.map(ledgerFields));
  const providerUsage = sumFields(providerRecords.map(serverUsageFields));
  const usageDifferences: Partial<Record<ReconcileField, number>> = {};
  for (const field of fields) {
    const difference = ledgerUsage[field] - providerUsage[field];
    if (difference !== 0) usageDifferences[field] = difference;
  }
  const ledgerCost = totalsByCurrency(ledgerEntries);
  const providerCost = totalsByCurrency(providerRecords.map(recordCost));
  const costDifferences = differences(ledgerCost, providerCost);
  const different = Object.keys(usageDifferences).length > 0 || Object.keys(costDifferences).length > 0;
  const idempotencyKey =
    ledgerEntries.find((entry) => entry.idempotencyKey !== null)?.idempotencyKey ??
    providerRecords.find((record) => record.idempotency_key !== null)?.idempotency_key ??
    null;
  const requestIds = [
    ...new Set([
      ...ledgerEntries.flatMap((entry) => (entry.requestId === null ? [] : [entry.requestId])),
      ...providerRecords.map((record) => record.request_id),
    ]),
  ];
  return {
    key: idempotencyKey ?? requestIds[0] ?? ledgerEntries[0]?.id ?? '',
    idempotencyKey,
    requestIds,
    status:
      ledgerEntries.length === 0
        ? 'missing-in-ledger'
        : providerRecords.length === 0
          ? 'missing-in-provider'
          : different
            ? 'different'
            : 'matched',
    ledgerEntries,
    providerRecords,
    usage: { ledger: ledgerUsage, provider: providerUsage, differences: usageDifferences },
    cost: { ledger: ledgerCost, provider: providerCost, differences: costDifferences },
    unpricedLedgerEntries: ledgerEntries.filter((entry) => entry.cost === null).length,
  };
}

function ledgerFields(entry: LedgerEntry): Record<ReconcileField, number> {
  const { usage } = entry;
  return {
    inputTokens: totalInputTokens(usage),
    outputTokens: totalOutputTokens(usage),
    computeMs: usage.computeMs.value,
    bytesIn: usage.bytesIn.value,
    bytesOut: usage.bytesOut.value,
    tensorElements: usage.tensorElements.value,
    requests: usage.requests.value,
    // A client measures no deployment time: it reaches the ledger from the server's records only.
    deployedSeconds: usage.deployedSeconds.value,
    trainedExamples: usage.trainedExamples.value,
  };
}

function sumFields(rows: Record<ReconcileField, number>[]): Record<ReconcileField, number> {
  const sum = Object.fromEntries(RECONCILE_FIELDS.map((field) => [field, 0])) as Record<
    ReconcileField,
    number
  >;
  for (const row of rows) for (const field of RECONCILE_FIELDS) sum[field] += row[field];
  return sum;
}

function recordCost(record: ServerUsageRecord): { cost: Money } {
  return { cost: Money.of(record.cost.amount, record.cost.currency) };
}

function differences(ledger: Record<string, Money>, provider: Record<string, Money>): Record<string, Money> {
  const result: Record<string, Money> = {};
  for (const currency of new Set([...Object.keys(ledger), ...Object.keys(provider)])) {
    const zero = Money.zero(currency);
    const difference = (ledger[currency] ?? zero).minus(provider[currency] ?? zero);
    if (!difference.isZero()) result[currency] = difference;
  }
  return result;
}
