import { AiaasError } from '../errors/index.js';
import { type LedgerEntry, type LedgerFilter, matchesLedgerFilter } from './ledger-entry.js';
import type { LedgerStore } from './ledger-store.js';

/**
 * Keeps entries in memory for the life of the process: the default store.
 *
 * @example
 * const ledger = new Ledger({ store: new MemoryLedgerStore() });
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly all: LedgerEntry[] = [];
  private readonly ids = new Set<string>();

  async append(entry: LedgerEntry): Promise<void> {
    if (this.ids.has(entry.id)) {
      throw new AiaasError(`Ledger entry ${entry.id} was already appended.`, {
        code: 'duplicate_ledger_entry',
      });
    }
    this.ids.add(entry.id);
    this.all.push(entry);
  }

  async entries(filter: LedgerFilter): Promise<LedgerEntry[]> {
    return this.all.filter((entry) => matchesLedgerFilter(entry, filter));
  }

  async close(): Promise<void> {}
}
