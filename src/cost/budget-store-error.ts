import { AiaasError, type AiaasErrorOptions } from '../errors/index.js';

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

export interface BudgetStoreErrorOptions extends AiaasErrorOptions {
  operation: BudgetStoreOperation;
  /** `store_busy`: another connection held the lock through every retry; `store_failed`: anything else. */
  code: 'store_busy' | 'store_failed';
}

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
export class BudgetStoreError extends AiaasError {
  readonly operation: BudgetStoreOperation;

  constructor(message: string, options: BudgetStoreErrorOptions) {
    super(message, { retryable: options.code === 'store_busy', ...options });
    this.operation = options.operation;
  }
}
