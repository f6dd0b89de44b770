import type { LedgerEntry, LedgerFilter } from './ledger-entry.js';
import type { Money } from './money.js';

/**
 * Where ledger entries live. Entries are only ever appended; `entries` returns them in append
 * order. Implement this to keep a ledger elsewhere (Redis, Postgres): the memory, JSONL and
 * SQLite stores are the references.
 *
 * @example
 * class ArrayLedgerStore implements LedgerStore {
 *   private readonly all: LedgerEntry[] = [];
 *   async append(entry: LedgerEntry) { this.all.push(entry); }
 *   async entries(filter: LedgerFilter) { return this.all.filter((entry) => matchesLedgerFilter(entry, filter)); }
 *   async close() {}
 * }
 */
export interface LedgerStore {
  /** Durably records one complete, validated entry. */
  append(entry: LedgerEntry): Promise<void>;
  /** Entries matching the filter, oldest append first. */
  entries(filter: LedgerFilter): Promise<LedgerEntry[]>;
  /**
   * Optional: spend per currency over every entry ever appended, for a store that keeps fewer
   * entries than it was given (the bounded {@link MemoryLedgerStore}); `Ledger.total()` with no
   * filter uses it, so the total stays exact.
   */
  totals?(): Promise<Record<string, Money>>;
  /** Flushes and frees resources; the store is unusable afterwards. */
  close(): Promise<void>;
}
