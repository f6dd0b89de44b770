import { StoreError, type StoreErrorOptions } from './store-error.js';

/** The store operation that failed. */
export type BudgetStoreOperation =
  | 'open'
  | 'reserve'
  | 'settle'
  | 'release'
  | 'tally'
  | 'renew'
  | 'claim-expired'
  | 'claim-correction'
  | 'charges';

export type BudgetStoreErrorOptions = StoreErrorOptions<BudgetStoreOperation>;

/**
 * A budget store could not do what was asked: the database stayed locked by another
 * connection through every retry (`store_busy`, retryable), or failed otherwise
 * (`store_failed`: a disk error, a closed store). `operation` names what was attempted.
 *
 * A failed settle or release does not leave the reservation open for ever: its owner stops
 * renewing its lease, so it expires and is recorded as `estimated` spend, and
 * `recoverUsage()` can later replace that estimate with the provider's record.
 *
 * @example
 * try { await budget.settle(reservation, cost); }
 * catch (error) { if (error instanceof BudgetStoreError) log.warn(error.message, error.operation); }
 */
export class BudgetStoreError extends StoreError<BudgetStoreOperation> {}
