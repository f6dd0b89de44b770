import type {
  BudgetCharge,
  BudgetChargeFilter,
  BudgetChargeState,
  BudgetCheck,
  BudgetReleaseOutcome,
  BudgetReserveResult,
  BudgetSettleOutcome,
  BudgetStore,
  BudgetTally,
  StoredBudgetCharge,
} from './budget-store.js';
import { fitsWithin } from './budget-store.js';
import { LeaseExpiryQueue } from './lease-expiry-queue.js';
import { Money } from './money.js';
import { ScopeTotals } from './scope-totals.js';

interface StoredCharge {
  charge: BudgetCharge;
  state: BudgetChargeState;
  /** The lease's end now (renewals move it; `charge.expiresAt` is the first one). */
  expiresAt: number;
  /** What counts as spent (settled: the actual; expired: the amount) and since when. */
  spent: bigint | null;
  spentAt: number;
  expiryRecordedBy: string | null;
  estimateCorrected: boolean;
  /** The totals of each distinct scope of the charge, in its currency. */
  totals: ScopeTotals[];
}

/**
 * Budget charges in memory, for one process. `reserve` checks and records in one synchronous
 * step, so concurrent calls in this process can never both take the last of a budget. Totals are
 * kept per scope and currency as charges change, so a reserve costs the same after a million
 * charges as after ten. Lease ends wait in a queue in time order, so expiring the lapsed ones
 * costs nothing while none has lapsed.
 *
 * @example
 * const budget = new Budget({ limits, store: new MemoryBudgetStore() });
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly stored = new Map<string, StoredCharge>();
  /** scope → currency → totals. */
  private readonly totals = new Map<string, Map<string, ScopeTotals>>();
  private readonly leases = new LeaseExpiryQueue();
  /** Expired charges nobody has claimed yet, in expiry order. */
  private readonly unclaimed = new Set<string>();
  /** Idempotency key → ids of the charges made with it. */
  private readonly byIdempotencyKey = new Map<string, string[]>();

  async reserve(
    charge: BudgetCharge,
    checks: readonly BudgetCheck[],
    now: Date = new Date(),
  ): Promise<BudgetReserveResult> {
    this.expireLapsed(now.getTime());
    const currency = charge.amount.currency;
    const tallies = checks.map((check) => this.tallyOne(check, currency));
    const accepted = checks.every(
      (check, index) => !check.hard || fitsWithin(check, tallies[index] as BudgetTally, charge.amount),
    );
    if (accepted) {
      const totals: ScopeTotals[] = [];
      for (const scope of charge.scopes) {
        const scopeTotals = this.totalsFor(scope, currency);
        // A scope listed twice counts once.
        if (totals.includes(scopeTotals)) continue;
        scopeTotals.reserved += charge.amount.units;
        totals.push(scopeTotals);
      }
      const expiresAt = charge.expiresAt.getTime();
      // Reusing an id leaves the earlier charge counted but no longer reachable by id.
      this.stored.set(charge.id, {
        charge,
        state: 'reserved',
        expiresAt,
        spent: null,
        spentAt: Number.NaN,
        expiryRecordedBy: null,
        estimateCorrected: false,
        totals,
      });
      this.leases.push({ expiresAt, id: charge.id });
      if (charge.idempotencyKey !== null) {
        const ids = this.byIdempotencyKey.get(charge.idempotencyKey);
        if (ids === undefined) this.byIdempotencyKey.set(charge.idempotencyKey, [charge.id]);
        else ids.push(charge.id);
      }
    }
    return { accepted, tallies, expiriesWaiting: this.unclaimed.size > 0 };
  }

  async settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome> {
    return this.settleNow(id, actual, time);
  }

  /** {@link settle} without a promise: a `Budget` over this store settles at once. */
  settleNow(id: string, actual: Money, time: Date): BudgetSettleOutcome {
    const stored = this.stored.get(id);
    if (!stored) return 'unknown';
    if (stored.state !== 'reserved' && stored.state !== 'expired') return 'closed';
    this.takeBack(stored);
    const settledAt = time.getTime();
    for (const scopeTotals of stored.totals) scopeTotals.addSettlement(settledAt, actual.units);
    stored.state = 'settled';
    stored.spent = actual.units;
    stored.spentAt = settledAt;
    return stored.expiryRecordedBy === null ? 'settled' : 'settled-after-expiry';
  }

  async release(id: string): Promise<BudgetReleaseOutcome> {
    const stored = this.stored.get(id);
    if (!stored) return 'unknown';
    if (stored.state !== 'reserved' && stored.state !== 'expired') return 'closed';
    this.takeBack(stored);
    stored.state = 'released';
    stored.spent = null;
    // A released charge never counts again; it is kept to answer a late settle and recovery.
    stored.totals = [];
    return stored.expiryRecordedBy === null ? 'released' : 'released-after-expiry';
  }

  async tally(checks: readonly BudgetCheck[], now: Date = new Date()): Promise<BudgetTally[]> {
    this.expireLapsed(now.getTime());
    return checks.map((check) => this.tallyOne(check, check.limit.currency));
  }

  async renew(owner: string, ids: readonly string[], expiresAt: Date, now: Date): Promise<string[]> {
    const until = expiresAt.getTime();
    const at = now.getTime();
    const renewed: string[] = [];
    for (const id of ids) {
      const stored = this.stored.get(id);
      if (stored?.state !== 'reserved' || stored.charge.owner !== owner || !(stored.expiresAt > at)) continue;
      if (until > stored.expiresAt) {
        stored.expiresAt = until;
        this.leases.push({ expiresAt: until, id });
      }
      renewed.push(id);
    }
    return renewed;
  }

  async claimExpired(claimant: string, now: Date): Promise<StoredBudgetCharge[]> {
    this.expireLapsed(now.getTime());
    const claimed: StoredBudgetCharge[] = [];
    for (const id of this.unclaimed) {
      const stored = this.stored.get(id) as StoredCharge;
      stored.expiryRecordedBy = claimant;
      claimed.push(this.view(stored));
    }
    this.unclaimed.clear();
    return claimed;
  }

  async claimCorrection(id: string): Promise<boolean> {
    const stored = this.stored.get(id);
    if (stored === undefined || stored.expiryRecordedBy === null || stored.estimateCorrected) return false;
    stored.estimateCorrected = true;
    return true;
  }

  async charges(filter: BudgetChargeFilter): Promise<StoredBudgetCharge[]> {
    const ids = new Set(filter.ids ?? []);
    for (const key of filter.idempotencyKeys ?? []) {
      for (const id of this.byIdempotencyKey.get(key) ?? []) ids.add(id);
    }
    const found: StoredCharge[] = [];
    for (const id of ids) {
      const stored = this.stored.get(id);
      if (stored !== undefined) found.push(stored);
    }
    // Oldest first, then by id: the order the SQLite store gives.
    found.sort(
      (left, right) =>
        left.charge.time.getTime() - right.charge.time.getTime() ||
        (left.charge.id < right.charge.id ? -1 : left.charge.id > right.charge.id ? 1 : 0),
    );
    return found.map((stored) => this.view(stored));
  }

  async close(): Promise<void> {}

  /** Turns every lease that ran out by `now` into spend of its full amount at its expiry. */
  private expireLapsed(now: number): void {
    for (const lease of this.leases.popUntil(now)) {
      const stored = this.stored.get(lease.id);
      // A renewed lease was queued again; this is its old end.
      if (stored?.state !== 'reserved' || stored.expiresAt !== lease.expiresAt) continue;
      const units = stored.charge.amount.units;
      for (const scopeTotals of stored.totals) {
        scopeTotals.reserved -= units;
        scopeTotals.addSettlement(stored.expiresAt, units);
      }
      stored.state = 'expired';
      stored.spent = units;
      stored.spentAt = stored.expiresAt;
      this.unclaimed.add(lease.id);
    }
  }

  /** Undoes what an open or expired charge counts: its reservation, or its spend at expiry. */
  private takeBack(stored: StoredCharge): void {
    const units = stored.charge.amount.units;
    for (const scopeTotals of stored.totals) {
      if (stored.state === 'reserved') scopeTotals.reserved -= units;
      else scopeTotals.addSettlement(stored.spentAt, -units);
    }
    this.unclaimed.delete(stored.charge.id);
  }

  private view(stored: StoredCharge): StoredBudgetCharge {
    const { charge } = stored;
    return Object.freeze({
      ...charge,
      expiresAt: new Date(stored.expiresAt),
      state: stored.state,
      spent: stored.spent === null ? null : Money.fromUnits(stored.spent, charge.amount.currency),
      expiryRecordedBy: stored.expiryRecordedBy,
      estimateCorrected: stored.estimateCorrected,
    });
  }

  private totalsFor(scope: string, currency: string): ScopeTotals {
    let byCurrency = this.totals.get(scope);
    if (byCurrency === undefined) {
      byCurrency = new Map();
      this.totals.set(scope, byCurrency);
    }
    let scopeTotals = byCurrency.get(currency);
    if (scopeTotals === undefined) {
      scopeTotals = new ScopeTotals();
      byCurrency.set(currency, scopeTotals);
    }
    return scopeTotals;
  }

  /** Spend within the check's window and every open reservation, in one scope and currency. */
  private tallyOne(check: BudgetCheck, currency: string): BudgetTally {
    const scopeTotals = this.totals.get(check.scope)?.get(currency);
    const since = check.since === null || check.since === undefined ? null : check.since.getTime();
    return {
      limitId: check.limitId,
      spent: Money.fromUnits(scopeTotals?.spentSince(since) ?? 0n, currency),
      reserved: Money.fromUnits(scopeTotals?.reserved ?? 0n, currency),
    };
  }
}
