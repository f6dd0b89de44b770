import { randomUUID } from 'node:crypto';
import { flatRandomUuid } from '../retry/flat-random-uuid.js';
import {
  completeLedgerEntry,
  type LedgerEntry,
  type LedgerEntryInput,
  type LedgerFilter,
  type LedgerTagsMemo,
} from './ledger-entry.js';
import type { LedgerStore } from './ledger-store.js';
import { MemoryLedgerStore } from './memory-ledger-store.js';
import { Money } from './money.js';

export interface LedgerOptions {
  /** Default: a {@link MemoryLedgerStore}, which keeps the newest 10,000 entries (and exact totals). */
  store?: LedgerStore;
  /** Makes entry ids; default a random UUID v4, as `crypto.randomUUID` makes. */
  makeId?: () => string;
  /** The clock for entries without a `time`; default `() => new Date()`. */
  now?: () => Date;
}

/**
 * The append-only record of every attempt that may have cost money: retries, aborted and failed
 * streams included, so spend is never lost.
 *
 * @example
 * const ledger = new Ledger({ store: new JsonlLedgerStore('spend.jsonl') });
 * await ledger.append({ model: 'gpt-4o', provider: 'openai', idempotencyKey: key, attempt: 1,
 *   usage, cost: catalog.cost('gpt-4o', usage).total, tags: { team: 'search' }, status: 'ok' });
 * const totals = await ledger.total({ tags: { team: 'search' } }); // { USD: Money }
 */
export class Ledger {
  readonly store: LedgerStore;
  private readonly makeId: () => string;
  private readonly now: () => Date;
  /** The store, when it is a plain MemoryLedgerStore and ids are random UUIDs (which never repeat). */
  private readonly generatedIdStore: MemoryLedgerStore | undefined;
  private readonly lastTags: LedgerTagsMemo = { tags: undefined };

  constructor(options: LedgerOptions = {}) {
    this.store = options.store ?? new MemoryLedgerStore();
    this.makeId = options.makeId ?? flatRandomUuid;
    this.now = options.now ?? (() => new Date());
    const store = this.store;
    this.generatedIdStore =
      (this.makeId === flatRandomUuid || this.makeId === randomUUID) &&
      store instanceof MemoryLedgerStore &&
      store.append === MemoryLedgerStore.prototype.append
        ? store
        : undefined;
  }

  /** Validates, completes (id, time, defaults) and stores an entry; returns it as stored. */
  append(input: LedgerEntryInput): Promise<LedgerEntry> {
    // Not an async function: the memory store's path then costs one settled promise, no more.
    try {
      const stored = this.appendNow(input);
      return stored instanceof Promise ? stored : Promise.resolve(stored);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@link append}, returning the entry itself (no promise) when the store took it at once (a
   * plain memory store with generated ids), so the client's per-call path waits on nothing.
   * Throws, instead of rejecting, an entry it refuses before reaching the store.
   *
   * @example
   * const stored = ledger.appendNow(input);
   * const entry = stored instanceof Promise ? await stored : stored;
   */
  appendNow(input: LedgerEntryInput): LedgerEntry | Promise<LedgerEntry> {
    const entry = completeLedgerEntry(input, this.makeId, this.now, this.lastTags);
    if (this.generatedIdStore !== undefined && (input.id === undefined || input.id === null)) {
      // A fresh random UUID cannot repeat: skip the store's duplicate check.
      this.generatedIdStore.appendGenerated(entry);
      return entry;
    }
    return this.store.append(entry).then(() => entry);
  }

  /** Entries matching the filter, in append order. */
  async entries(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    return this.store.entries(filter);
  }

  /**
   * Spend per currency over the matching entries. Unpriced entries (cost null) are not in the
   * sum; find them with `entries()` or a cost report. With no filter it is exact over every
   * entry ever appended, even those a bounded store (the default memory store keeps the newest
   * 10,000) has dropped; a filtered total covers the entries the store still holds.
   */
  async total(filter: LedgerFilter = {}): Promise<Record<string, Money>> {
    if (this.store.totals !== undefined && isEmptyFilter(filter)) return this.store.totals();
    return totalsByCurrency(await this.store.entries(filter));
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

function isEmptyFilter(filter: LedgerFilter): boolean {
  for (const key in filter) {
    if (filter[key as keyof LedgerFilter] !== undefined) return false;
  }
  return true;
}

/** Sums the costs of entries per currency. */
export function totalsByCurrency(entries: Iterable<{ cost: Money | null }>): Record<string, Money> {
  const totals: Record<string, Money> = {};
  for (const { cost } of entries) {
    if (cost === null) continue;
    totals[cost.currency] = (totals[cost.currency] ?? Money.zero(cost.currency)).plus(cost);
  }
  return totals;
}
