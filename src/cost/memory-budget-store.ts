import type {
  BudgetCharge,
  BudgetCheck,
  BudgetReleaseOutcome,
  BudgetReserveResult,
  BudgetSettleOutcome,
  BudgetStore,
  BudgetTally,
} from './budget-store.js';
import { fitsWithin } from './budget-store.js';
import { Money } from './money.js';

interface StoredCharge {
  charge: BudgetCharge;
  state: 'reserved' | 'settled' | 'released';
  spent: Money;
  settledAt: number;
}

/**
 * Budget charges in memory, for one process. `reserve` checks and records in one synchronous
 * step, so concurrent calls in this process can never both take the last of a budget.
 *
 * @example
 * const budget = new Budget({ limits, store: new MemoryBudgetStore() });
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly charges = new Map<string, StoredCharge>();
  private readonly byScope = new Map<string, Set<StoredCharge>>();

  async reserve(charge: BudgetCharge, checks: readonly BudgetCheck[]): Promise<BudgetReserveResult> {
    const tallies = this.tallyNow(checks, charge.amount.currency);
    const accepted = checks.every(
      (check, index) => !check.hard || fitsWithin(check, tallies[index] as BudgetTally, charge.amount),
    );
    if (accepted) {
      const stored: StoredCharge = {
        charge,
        state: 'reserved',
        spent: Money.zero(charge.amount.currency),
        settledAt: 0,
      };
      this.charges.set(charge.id, stored);
      for (const scope of charge.scopes) {
        const set = this.byScope.get(scope) ?? new Set<StoredCharge>();
        set.add(stored);
        this.byScope.set(scope, set);
      }
    }
    return { accepted, tallies };
  }

  async settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome> {
    const stored = this.charges.get(id);
    if (!stored) return 'unknown';
    if (stored.state !== 'reserved') return 'closed';
    stored.state = 'settled';
    stored.spent = actual;
    stored.settledAt = time.getTime();
    return 'settled';
  }

  async release(id: string): Promise<BudgetReleaseOutcome> {
    const stored = this.charges.get(id);
    if (!stored) return 'unknown';
    if (stored.state !== 'reserved') return 'closed';
    stored.state = 'released';
    // A released charge never counts again; only its id is kept, to answer a late settle.
    for (const scope of stored.charge.scopes) this.byScope.get(scope)?.delete(stored);
    return 'released';
  }

  async tally(checks: readonly BudgetCheck[]): Promise<BudgetTally[]> {
    return checks.map((check) => this.tallyOne(check, check.limit.currency));
  }

  async close(): Promise<void> {}

  private tallyNow(checks: readonly BudgetCheck[], currency: string): BudgetTally[] {
    return checks.map((check) => this.tallyOne(check, currency));
  }

  private tallyOne(check: BudgetCheck, currency: string): BudgetTally {
    let spent = 0n;
    let reserved = 0n;
    const since = check.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    for (const stored of this.byScope.get(check.scope) ?? []) {
      if (stored.charge.amount.currency !== currency) continue;
      if (stored.state === 'reserved') reserved += stored.charge.amount.units;
      else if (stored.settledAt >= since) spent += stored.spent.units;
    }
    return {
      limitId: check.limitId,
      spent: Money.fromUnits(spent, currency),
      reserved: Money.fromUnits(reserved, currency),
    };
  }
}
