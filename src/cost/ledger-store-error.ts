import { AiaasError, type AiaasErrorOptions } from '../errors/index.js';

/** The ledger store operation that failed. */
export type LedgerStoreOperation = 'open' | 'append' | 'entries';

export interface LedgerStoreErrorOptions extends AiaasErrorOptions {
  operation: LedgerStoreOperation;
  /** `store_busy`: another connection held the lock through every retry; `store_failed`: anything else. */
  code: 'store_busy' | 'store_failed';
}

/**
 * A ledger store could not do what was asked: the database stayed locked by another connection
 * through every retry (`store_busy`, retryable), or failed otherwise (`store_failed`: a disk
 * error, a closed store). `operation` names what was attempted. A call whose entry could not be
 * appended still settles its budget at the cost it computed: the money was spent either way.
 *
 * @example
 * try { await ledger.append(entry); }
 * catch (error) { if (error instanceof LedgerStoreError && error.retryable) queue.push(entry); }
 */
export class LedgerStoreError extends AiaasError {
  readonly operation: LedgerStoreOperation;

  constructor(message: string, options: LedgerStoreErrorOptions) {
    super(message, { retryable: options.code === 'store_busy', ...options });
    this.operation = options.operation;
  }
}
