import type { AiaasError } from '../errors/index.js';
import { BudgetStoreError, type BudgetStoreOperation } from './budget-store-error.js';
import { LedgerStoreError, type LedgerStoreOperation } from './ledger-store-error.js';

/** How a store's failed operation is named and typed (the SQLite and PostgreSQL stores share it). */
export interface StoreFailure {
  /** E.g. `Budget store settle`. */
  readonly label: string;
  readonly operation: string;
  readonly fail: (message: string, code: 'store_busy' | 'store_failed', cause: unknown) => AiaasError;
}

/** A budget store operation's failures, as {@link BudgetStoreError}s. */
export function budgetStoreFailure(operation: BudgetStoreOperation): StoreFailure {
  return {
    label: `Budget store ${operation}`,
    operation,
    fail: (message, code, cause) => new BudgetStoreError(message, { operation, code, cause }),
  };
}

/** A ledger store operation's failures, as {@link LedgerStoreError}s. */
export function ledgerStoreFailure(operation: LedgerStoreOperation): StoreFailure {
  return {
    label: `Ledger store ${operation}`,
    operation,
    fail: (message, code, cause) => new LedgerStoreError(message, { operation, code, cause }),
  };
}
