import { COST_ENTRY_KIND_TAG } from '../../src/cost/lease-ledger-entries.js';
import type { LedgerEntry } from '../../src/cost/ledger-entry.js';
import type { Money } from '../../src/cost/money.js';
import { type ReconcileResult, reconcile } from '../../src/cost/reconcile.js';
import { groupDiffers } from '../../src/testing/billing-difference-report.js';
import { defaultBilledFields } from '../../src/testing/expect-billed.js';
import { parseServerUsage, type ServerUsageRecord } from '../../src/wire/aiaas/server-usage-schemas.js';
import { pollUntil } from './poll-until.js';

/** The money side of a run: the server's bill against the client's ledger. */
export interface BillingAudit {
  readonly serverTotal: Money | undefined;
  readonly ledgerTotal: Money | undefined;
  readonly serverRecords: number;
  readonly ledgerEntries: number;
  /** Logical calls (idempotency keys) the server billed `ok` more than once. */
  readonly doubleCharges: readonly string[];
  /**
   * Logical calls with more than one ledger entry that charges for them. A lapsed lease's estimate
   * and the correction that reverses it are bookkeeping beside the charge, not a second charge.
   */
  readonly doubleRecords: readonly string[];
  /** Calls whose tokens, requests or cost differ between the two sides. */
  readonly differingCalls: number;
  /** One line per differing call, for the first few: which call, which side, by how much. */
  readonly differenceSamples: readonly string[];
}

async function fetchUsage(baseUrl: string, apiKey: string): Promise<ServerUsageRecord[]> {
  const response = await fetch(`${baseUrl}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`GET /v1/usage answered ${response.status}: ${await response.text()}`);
  return parseServerUsage(await response.json()).data;
}

function repeatedKeys(keys: readonly (string | null)[]): string[] {
  const seen = new Map<string, number>();
  for (const key of keys) if (key !== null) seen.set(key, (seen.get(key) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([key]) => key);
}

function sampleLine(group: ReconcileResult['groups'][number]): string {
  const statuses = (side: readonly { status: string }[]) =>
    side.map((item) => item.status).join('+') || 'none';
  const usage = Object.entries(group.usage.differences).map(
    ([field, value]) => `${field} ${value > 0 ? '+' : ''}${value}`,
  );
  const cost = Object.values(group.cost.differences).map((amount) => `cost ${amount.toString()}`);
  return `${group.key}: ledger ${statuses(group.ledgerEntries)} vs server ${statuses(group.providerRecords)}; ${[...usage, ...cost].join(', ')}`;
}

function chargesForCall(entry: LedgerEntry): boolean {
  const kind = entry.tags[COST_ENTRY_KIND_TAG];
  return kind !== 'lease-expired' && kind !== 'correction';
}

function audit(entries: readonly LedgerEntry[], records: readonly ServerUsageRecord[]): BillingAudit {
  const result = reconcile(entries, records, { fields: defaultBilledFields });
  const differing = result.groups.filter((group) => groupDiffers(group, true));
  return {
    serverTotal: result.totals.provider.USD,
    ledgerTotal: result.totals.ledger.USD,
    serverRecords: records.length,
    ledgerEntries: entries.length,
    doubleCharges: repeatedKeys(
      records.filter((record) => record.status === 'ok').map((record) => record.idempotency_key),
    ),
    doubleRecords: repeatedKeys(entries.filter(chargesForCall).map((entry) => entry.idempotencyKey)),
    differingCalls: differing.length,
    differenceSamples: differing.slice(0, 8).map(sampleLine),
  };
}

/**
 * Reads the tenants' bills (`GET /v1/usage` with each API key: each sees only its own) and
 * reconciles them with the ledgers, call by call: tokens, requests and the exact cost. The server
 * settles a record when a call's work ends, which for a stream its client gave up on can be a
 * moment after the client moved on, so a difference is re-read for up to `settleMs` before it counts.
 *
 * @example
 * const billing = await auditBilling(server.url, [apiKey], () => ledger.entries());
 */
export async function auditBilling(
  baseUrl: string,
  apiKeys: readonly string[],
  ledgerEntries: () => Promise<LedgerEntry[]>,
  settleMs = 10_000,
): Promise<BillingAudit> {
  const read = async () => {
    const bills = await Promise.all(apiKeys.map((apiKey) => fetchUsage(baseUrl, apiKey)));
    return audit(await ledgerEntries(), bills.flat());
  };
  return pollUntil(read, (result) => result.differingCalls === 0, settleMs, 250);
}
