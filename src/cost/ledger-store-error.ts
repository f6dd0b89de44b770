import { StoreError, type StoreErrorOptions } from './store-error.js';

/** The ledger store operation that failed. */
export type LedgerStoreOperation = 'open' | 'append' | 'entries';

export type LedgerStoreErrorOptions = StoreErrorOptions<LedgerStoreOperation>;

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
export class LedgerStoreError extends StoreError<LedgerStoreOperation> {}
