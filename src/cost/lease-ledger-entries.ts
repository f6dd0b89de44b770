import type { BudgetCharge, BudgetStore } from './budget-store.js';
import type { Ledger } from './ledger.js';
import type { LedgerEntry, LedgerEntryInput } from './ledger-entry.js';
import { emptyUsage, withProvenance } from './usage.js';

/**
 * The ledger tags that mark what the cost layer itself wrote, beside a charge's own tags:
 * `aiaas.entry` is `lease-expired` (a reservation whose lease ran out, at its full amount),
 * `correction` (the reversal of such an estimate once the real cost is known) or `recovered`
 * (a provider billing record the ledger lacked); `aiaas.charge` names the budget reservation.
 */
export const COST_ENTRY_KIND_TAG = 'aiaas.entry';
export const BUDGET_CHARGE_TAG = 'aiaas.charge';

export type CostLayerEntryKind = 'lease-expired' | 'correction' | 'recovered';

// Every bucket an estimated zero: the usage of a call whose process died is unknown, and a zero
// keeps reconciliation exact once the provider's record is recovered beside it.
const UNKNOWN_USAGE = withProvenance(emptyUsage(), 'estimated');

/** A charge's ledger tags and API key id, read back from its budget scopes. */
export function tagsOfScopes(scopes: readonly string[]): { tags: Record<string, string>; apiKeyId?: string } {
  const tags: Record<string, string> = {};
  let apiKeyId: string | undefined;
  for (const scope of scopes) {
    if (scope.startsWith('tag:')) {
      const equals = scope.indexOf('=');
      tags[scope.slice(4, equals)] = scope.slice(equals + 1);
    } else if (scope.startsWith('key:') && apiKeyId === undefined) apiKeyId = scope.slice(4);
  }
  return apiKeyId === undefined ? { tags } : { tags, apiKeyId };
}

/**
 * The `estimated` ledger entry of a reservation whose lease ran out: its full amount (the money
 * may have been spent), at its expiry, with unknown usage. Its id derives from the charge, so
 * a ledger that refuses duplicate ids refuses a second one.
 */
export function leaseExpiryEntry(charge: BudgetCharge): LedgerEntryInput {
  const { tags, apiKeyId } = tagsOfScopes(charge.scopes);
  const entry: LedgerEntryInput = {
    id: `lease-expired:${charge.id}`,
    requestId: null,
    idempotencyKey: charge.idempotencyKey,
    // Not one attempt: the whole call, whatever attempts it made.
    attempt: 0,
    model: charge.model ?? 'unknown',
    provider: charge.provider ?? 'unknown',
    usage: UNKNOWN_USAGE,
    cost: charge.amount,
    tags: { ...tags, [COST_ENTRY_KIND_TAG]: 'lease-expired', [BUDGET_CHARGE_TAG]: charge.id },
    time: charge.expiresAt,
    status: 'aborted',
  };
  if (apiKeyId !== undefined) entry.apiKeyId = apiKeyId;
  return entry;
}

/** The entry that reverses a lease-expiry estimate: the same everything, the cost negated. */
export function correctionEntry(estimate: LedgerEntry, time: Date): LedgerEntryInput {
  const chargeId = estimate.tags[BUDGET_CHARGE_TAG] ?? estimate.id;
  const entry: LedgerEntryInput = {
    id: `lease-correction:${chargeId}`,
    requestId: null,
    idempotencyKey: estimate.idempotencyKey,
    attempt: 0,
    model: estimate.model,
    provider: estimate.provider,
    usage: UNKNOWN_USAGE,
    cost: estimate.cost === null ? null : estimate.cost.negate(),
    tags: { ...estimate.tags, [COST_ENTRY_KIND_TAG]: 'correction' },
    time,
    status: estimate.status,
  };
  if (estimate.apiKeyId !== undefined) entry.apiKeyId = estimate.apiKeyId;
  return entry;
}

/**
 * Reverses the lease-expiry estimate of a charge whose real cost is now recorded elsewhere in
 * the ledger (its call's own entries, or recovered ones). Exactly once: the store hands the
 * correction to one caller. Only when the estimate is in the ledger: one not written yet
 * (its recorder is slow, or died after claiming it) is left, and a later `recoverUsage()`
 * reverses it once it appears. Returns the correction written, if any.
 *
 * @example
 * if ((await store.settle(id, actual, now)) === 'settled-after-expiry') await correctLeaseEstimate(ledger, store, id, now);
 */
export async function correctLeaseEstimate(
  ledger: Ledger,
  store: BudgetStore,
  chargeId: string,
  time: Date,
  known?: readonly LedgerEntry[],
): Promise<LedgerEntry | undefined> {
  const entries = known ?? (await ledger.entries({ tags: { [BUDGET_CHARGE_TAG]: chargeId } }));
  const mine = entries.filter((entry) => entry.tags[BUDGET_CHARGE_TAG] === chargeId);
  const estimate = mine.find((entry) => entry.tags[COST_ENTRY_KIND_TAG] === 'lease-expired');
  if (estimate === undefined) return undefined;
  if (mine.some((entry) => entry.tags[COST_ENTRY_KIND_TAG] === 'correction')) return undefined;
  if (!(await store.claimCorrection(chargeId))) return undefined;
  return ledger.append(correctionEntry(estimate, time));
}
