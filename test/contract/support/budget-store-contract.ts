import { describeAgreementWithMemory, describeBudgetLeases } from './budget-leases-contract.js';
import { describeBudgetLimits } from './budget-limits-contract.js';
import { describeRecovery } from './recovery-contract.js';
import type { BudgetStoreKind } from './store-kinds.js';

/**
 * Everything a budget store promises, run against one kind of store: limits, windows, scopes,
 * concurrency (across processes where the store is shared), leases, expiry, recovery and exact
 * totals — and, for every store but the memory one, the same answers as the memory store.
 *
 * @example
 * describeBudgetStoreContract(sqliteBudgetStoreKind());
 */
export function describeBudgetStoreContract(
  kind: BudgetStoreKind,
  options: { agreementRuns?: number } = {},
): void {
  describeBudgetLimits(kind);
  describeBudgetLeases(kind);
  describeRecovery(kind);
  if (kind.name !== 'MemoryBudgetStore') describeAgreementWithMemory(kind, options.agreementRuns);
}
