import { AiaasError, type AiaasErrorOptions } from '../errors/index.js';

export interface StoreErrorOptions<Operation extends string> extends AiaasErrorOptions {
  operation: Operation;
  /** `store_busy`: another connection held the lock through every retry; `store_failed`: anything else. */
  code: 'store_busy' | 'store_failed';
}

/**
 * What the budget and ledger stores fail with: the database stayed locked by another connection
 * through every retry (`store_busy`, retryable), or failed otherwise (`store_failed`: a disk
 * error, a closed store). `operation` names what was attempted.
 *
 * @example
 * if (error instanceof StoreError && error.retryable) retryLater();
 */
export abstract class StoreError<Operation extends string> extends AiaasError {
  readonly operation: Operation;

  constructor(message: string, options: StoreErrorOptions<Operation>) {
    super(message, { retryable: options.code === 'store_busy', ...options });
    this.operation = options.operation;
  }
}
