import { InvalidOptionError } from '../errors/index.js';
import type { BillingRecordSource, ProviderBillingRecord } from './billing-record-source.js';
import type { Budget } from './budget.js';
import type { BudgetStore, StoredBudgetCharge } from './budget-store.js';
import {
  BUDGET_CHARGE_TAG,
  COST_ENTRY_KIND_TAG,
  correctLeaseEstimate,
  tagsOfScopes,
} from './lease-ledger-entries.js';
import { type Ledger, totalsByCurrency } from './ledger.js';
import type { LedgerEntry, LedgerEntryInput } from './ledger-entry.js';
import { Money } from './money.js';

export interface RecoverUsageOptions {
  /** The ledger the calls record to: records it already holds (by request id) are not added again. */
  ledger: Ledger;
  /**
   * The budget whose reservations the calls made: matching lapsed ones are settled at what was
   * billed. Without it nothing is settled, every record is matched by request id alone (and
   * waits `inFlightGraceMs`), and no lease-expiry estimate is reversed (each reversal is claimed
   * in the budget store, so that it is written once).
   */
  budget?: Budget | undefined;
  /** Where the provider's per-request billing records come from (aiaas/server: `ServerBillingSource`). */
  provider: BillingRecordSource;
  /** Only records from then on (inclusive); default: all the provider keeps. */
  since?: Date;
  /** Only records before then (exclusive). */
  until?: Date;
  model?: string;
  /**
   * A record that no reservation accounts for is recovered only once it is this old (default
   * 60,000 ms): a younger one may belong to a call still in flight, whose own entry is on its way.
   */
  inFlightGraceMs?: number;
  now?: () => Date;
}

/** A reservation recovery settled at what the provider billed for its call. */
export interface RecoveredReservation {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly billed: Money;
  /** `lapsed`: its lease had run out but nobody had swept it; `expired`: it counted as spent at its full amount. */
  readonly was: 'lapsed' | 'expired';
}

/**
 * A call whose records recovery left alone: `in-flight` (a live lease still holds its
 * reservation), `too-recent` (no reservation accounts for it and it is younger than
 * `inFlightGraceMs`), `currency-mismatch` (billed in another currency than reserved: its records
 * are recovered, its reservation left to its lease).
 */
export interface SkippedCall {
  readonly idempotencyKey: string | null;
  readonly records: readonly ProviderBillingRecord[];
  readonly reason: 'in-flight' | 'too-recent' | 'currency-mismatch';
}

export interface RecoverUsageResult {
  /** The `recovered` ledger entries written, one per billing record the ledger lacked. */
  readonly recovered: LedgerEntry[];
  /** The entries written to reverse lease-expiry estimates whose real cost is now recorded. */
  readonly corrections: LedgerEntry[];
  readonly settled: RecoveredReservation[];
  readonly skipped: SkippedCall[];
  readonly totals: {
    /** What the recovered entries add, per currency. */
    readonly recovered: Record<string, Money>;
    /** What the corrections take back (negative), per currency. */
    readonly corrected: Record<string, Money>;
  };
}

/**
 * Brings back a crashed process's spend from the provider's billing: each billing record the
 * ledger lacks (matched by request id) becomes a `recovered` ledger entry, and each reservation
 * of the call (matched by idempotency key) whose lease ran out is settled at what was billed.
 *
 * A reservation whose lease ran out may already be in the ledger as an `estimated` entry at its
 * full amount. That estimate is not doubled: recovery writes a correcting entry that reverses
 * it exactly (same tags, `aiaas.entry: correction`, the cost negated), so that estimate +
 * correction + recovered entries sum to exactly what the provider billed. Each correction is
 * claimed in the budget store, so it is written once even with several recoveries (and a
 * late settle) racing. Running recovery again changes nothing.
 *
 * Only providers that bill per request can be recovered from (see {@link BillingRecordSource}).
 *
 * @example
 * const result = await recoverUsage({ ledger, budget, provider: new ServerBillingSource({ baseURL, apiKey }) });
 * console.log(`${result.recovered.length} records recovered`, result.totals.recovered);
 */
export async function recoverUsage(options: RecoverUsageOptions): Promise<RecoverUsageResult> {
  const { ledger, budget, provider } = options;
  if (typeof provider?.records !== 'function') {
    throw new InvalidOptionError('recoverUsage needs a `provider` with a `records(filter)` method.', {
      option: 'provider',
      allowed: 'a BillingRecordSource, e.g. new ServerBillingSource({ baseURL, apiKey })',
    });
  }
  const grace = options.inFlightGraceMs ?? 60_000;
  if (!Number.isFinite(grace) || grace < 0) {
    throw new InvalidOptionError(`Invalid recoverUsage option \`inFlightGraceMs\`: got ${grace}.`, {
      option: 'inFlightGraceMs',
      allowed: 'milliseconds >= 0',
    });
  }
  const now = (options.now ?? (() => new Date()))();
  const filter = {
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.model === undefined ? {} : { model: options.model }),
  };
  const records = await provider.records(filter);
  const entries = await ledger.entries();
  const recorded = new Set(entries.flatMap((entry) => (entry.requestId === null ? [] : [entry.requestId])));
  const entryIds = new Set(entries.map((entry) => entry.id));
  const inLedger = (record: ProviderBillingRecord) =>
    entryIds.has(recoveredEntryId(record)) || (!isStandingCharge(record) && recorded.has(record.requestId));
  const byCharge = entriesByCharge(entries);
  const store = budget?.store;
  const keys = [...new Set(records.flatMap((record) => record.idempotencyKey ?? []))];
  const charges =
    store === undefined ? [] : await store.charges({ idempotencyKeys: keys, ids: [...byCharge.keys()] });
  const chargesByKey = new Map<string, StoredBudgetCharge[]>();
  for (const charge of charges) {
    if (charge.idempotencyKey === null) continue;
    chargesByKey.set(charge.idempotencyKey, [...(chargesByKey.get(charge.idempotencyKey) ?? []), charge]);
  }

  const recovered: LedgerEntry[] = [];
  const settled: RecoveredReservation[] = [];
  const skipped: SkippedCall[] = [];
  const closedNow = new Set<string>();
  for (const [idempotencyKey, callRecords] of groupByCall(records)) {
    const linked = idempotencyKey === null ? [] : (chargesByKey.get(idempotencyKey) ?? []);
    if (linked.some((charge) => charge.state === 'reserved' && charge.expiresAt.getTime() > now.getTime())) {
      skipped.push({ idempotencyKey, records: callRecords, reason: 'in-flight' });
      continue;
    }
    let missing = callRecords.filter((record) => !inLedger(record));
    if (linked.length === 0) {
      const young = missing.filter(
        (record) => !isStandingCharge(record) && record.time.getTime() > now.getTime() - grace,
      );
      if (young.length > 0) skipped.push({ idempotencyKey, records: young, reason: 'too-recent' });
      missing = missing.filter((record) => !young.includes(record));
    }
    for (const record of missing) {
      recovered.push(await ledger.append(recoveredEntry(record, linked[0], provider.name)));
      entryIds.add(recoveredEntryId(record));
      recorded.add(record.requestId);
    }
    const open = linked.filter((charge) => charge.state === 'reserved' || charge.state === 'expired');
    if (store === undefined || idempotencyKey === null || open.length === 0) continue;
    const billed = billedIn(callRecords, (open[0] as StoredBudgetCharge).amount.currency);
    if (billed === undefined) {
      skipped.push({ idempotencyKey, records: callRecords, reason: 'currency-mismatch' });
      continue;
    }
    // One logical call, one bill: the first reservation takes it, any other made with the same key spent nothing.
    for (const [index, charge] of open.entries()) {
      const outcome =
        index === 0 ? await store.settle(charge.id, billed, now) : await store.release(charge.id);
      if (outcome === 'closed' || outcome === 'unknown') continue;
      closedNow.add(charge.id);
      if (index === 0) {
        settled.push({
          id: charge.id,
          idempotencyKey,
          billed,
          was: charge.state === 'expired' ? 'expired' : 'lapsed',
        });
      }
    }
  }

  const corrections =
    store === undefined ? [] : await correctEstimates(ledger, store, charges, byCharge, closedNow, now);
  return {
    recovered,
    corrections,
    settled,
    skipped,
    totals: { recovered: totalsByCurrency(recovered), corrected: totalsByCurrency(corrections) },
  };
}

/** The ledger entries the cost layer wrote for each charge (estimates, corrections, recoveries). */
function entriesByCharge(entries: readonly LedgerEntry[]): Map<string, LedgerEntry[]> {
  const byCharge = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const charge = entry.tags[BUDGET_CHARGE_TAG];
    if (charge === undefined || entry.tags[COST_ENTRY_KIND_TAG] === undefined) continue;
    byCharge.set(charge, [...(byCharge.get(charge) ?? []), entry]);
  }
  return byCharge;
}

/** Records per logical call: by idempotency key, or alone when a record has none. */
function groupByCall(records: readonly ProviderBillingRecord[]): [string | null, ProviderBillingRecord[]][] {
  const byKey = new Map<string, ProviderBillingRecord[]>();
  const calls: [string | null, ProviderBillingRecord[]][] = [];
  for (const record of records) {
    if (record.idempotencyKey === null) {
      calls.push([null, [record]]);
      continue;
    }
    let group = byKey.get(record.idempotencyKey);
    if (group === undefined) {
      group = [];
      byKey.set(record.idempotencyKey, group);
      calls.push([record.idempotencyKey, group]);
    }
    group.push(record);
  }
  return calls;
}

/** The call's bill in the reservation's currency, or undefined when it was billed in any other. */
function billedIn(records: readonly ProviderBillingRecord[], currency: string): Money | undefined {
  let billed = Money.zero(currency);
  for (const record of records) {
    if (record.cost.currency !== currency) return undefined;
    billed = billed.plus(record.cost);
  }
  return billed;
}

/**
 * A charge the provider bills after the call that started it answered: a deployed model's READY
 * time (under the load request's id) or a fine-tuning job's epochs (under the job's id). Only the
 * provider has it, so it is matched by the record alone, at any age.
 */
function isStandingCharge(record: ProviderBillingRecord): boolean {
  return record.usage.deployedSeconds.value > 0 || record.usage.trainedExamples.value > 0;
}

/**
 * Writes each billing record of one request (a fine-tuning job, a deployment) that the ledger
 * lacks, as the entry {@link recoverUsage} writes for it (the same id), so neither this nor a
 * later recovery writes it twice. Returns the entries written.
 *
 * @example
 * await recordBillingRecords(ledger, job.id, await source.records({ model: 'aiaas-fine-tuning' }), source.name);
 */
export async function recordBillingRecords(
  ledger: Ledger,
  requestId: string,
  records: readonly ProviderBillingRecord[],
  providerName: string,
): Promise<LedgerEntry[]> {
  const known = new Set((await ledger.entries({ requestId })).map((entry) => entry.id));
  const written: LedgerEntry[] = [];
  for (const record of records) {
    if (record.requestId !== requestId || known.has(recoveredEntryId(record))) continue;
    written.push(await ledger.append(recoveredEntry(record, undefined, providerName)));
    known.add(recoveredEntryId(record));
  }
  return written;
}

/** From the provider's record id: a ledger that refuses duplicate ids refuses a second recovery. */
function recoveredEntryId(record: ProviderBillingRecord): string {
  return `recovered:${record.id}`;
}

function recoveredEntry(
  record: ProviderBillingRecord,
  charge: StoredBudgetCharge | undefined,
  providerName: string,
): LedgerEntryInput {
  const { tags, apiKeyId } = tagsOfScopes(charge?.scopes ?? []);
  tags[COST_ENTRY_KIND_TAG] = 'recovered';
  if (charge !== undefined) tags[BUDGET_CHARGE_TAG] = charge.id;
  const entry: LedgerEntryInput = {
    id: recoveredEntryId(record),
    requestId: record.requestId,
    idempotencyKey: record.idempotencyKey,
    attempt: record.attempt,
    model: record.model,
    provider: charge?.provider ?? providerName,
    usage: record.usage,
    cost: record.cost,
    tags,
    time: record.time,
    status: record.status,
  };
  if (apiKeyId !== undefined) entry.apiKeyId = apiKeyId;
  return entry;
}

/**
 * Reverses every lease-expiry estimate whose charge is now closed (settled or released, by its
 * owner late or by this recovery): its real cost is in the ledger, so the estimate must go.
 */
async function correctEstimates(
  ledger: Ledger,
  store: BudgetStore,
  charges: readonly StoredBudgetCharge[],
  byCharge: ReadonlyMap<string, LedgerEntry[]>,
  closedNow: ReadonlySet<string>,
  now: Date,
): Promise<LedgerEntry[]> {
  const corrections: LedgerEntry[] = [];
  for (const charge of charges) {
    const known = byCharge.get(charge.id);
    if (known === undefined) continue;
    const closed = closedNow.has(charge.id) || charge.state === 'settled' || charge.state === 'released';
    if (!closed) continue;
    const correction = await correctLeaseEstimate(ledger, store, charge.id, now, known);
    if (correction !== undefined) corrections.push(correction);
  }
  return corrections;
}
