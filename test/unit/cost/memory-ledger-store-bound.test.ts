import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import type { LedgerEntryInput } from '../../../src/cost/ledger-entry.js';
import {
  DEFAULT_MAX_MEMORY_LEDGER_ENTRIES,
  MemoryLedgerStore,
} from '../../../src/cost/memory-ledger-store.js';
import { Money } from '../../../src/cost/money.js';

const base: LedgerEntryInput = { model: 'gpt-4o', provider: 'openai', status: 'ok', cost: null };

/** Entry `index` costs `index` micro-USD, every third one is in EUR, every fifth one is unpriced. */
function entryNumber(index: number): LedgerEntryInput {
  const currency = index % 3 === 0 ? 'EUR' : 'USD';
  return {
    ...base,
    id: `entry-${index}`,
    cost: index % 5 === 0 ? null : Money.of(`0.00000${index}`, currency),
    tags: { parity: index % 2 === 0 ? 'even' : 'odd' },
  };
}

function expectedTotals(indexes: readonly number[]): Record<string, string> {
  const totals: Record<string, Money> = {};
  for (const index of indexes) {
    const { cost } = entryNumber(index);
    if (cost === null) continue;
    totals[cost.currency] = (totals[cost.currency] ?? Money.zero(cost.currency)).plus(cost);
  }
  return Object.fromEntries(Object.entries(totals).map(([currency, sum]) => [currency, sum.toString()]));
}

function asText(totals: Record<string, Money>): Record<string, string> {
  return Object.fromEntries(Object.entries(totals).map(([currency, sum]) => [currency, sum.toString()]));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => from + offset);

describe('MemoryLedgerStore bound', () => {
  it('keeps 10,000 entries by default and the limit it is given', () => {
    expect(DEFAULT_MAX_MEMORY_LEDGER_ENTRIES).toBe(10_000);
    expect(new MemoryLedgerStore().maxEntries).toBe(10_000);
    expect(new MemoryLedgerStore({ maxEntries: 3 }).maxEntries).toBe(3);
    expect(new MemoryLedgerStore({ maxEntries: Number.POSITIVE_INFINITY }).maxEntries).toBe(
      Number.POSITIVE_INFINITY,
    );
    for (const maxEntries of [0, -1, 2.5, Number.NaN]) {
      expect(() => new MemoryLedgerStore({ maxEntries })).toThrow(RangeError);
    }
  });

  it('keeps the newest entries, oldest first, after it wraps around several times', async () => {
    const store = new MemoryLedgerStore({ maxEntries: 4 });
    const ledger = new Ledger({ store });
    for (const index of range(1, 12)) await ledger.append(entryNumber(index));
    expect((await ledger.entries()).map((entry) => entry.id)).toEqual([
      'entry-8',
      'entry-9',
      'entry-10',
      'entry-11',
    ]);
    expect(store.dropped).toBe(7);
    expect((await ledger.entries({ tags: { parity: 'even' } })).map((entry) => entry.id)).toEqual([
      'entry-8',
      'entry-10',
    ]);
  });

  it('drops the oldest of the entries a Ledger generated ids for, as of given ids', async () => {
    const store = new MemoryLedgerStore({ maxEntries: 2 });
    const ledger = new Ledger({ store });
    const appended = [];
    for (let index = 0; index < 5; index += 1)
      appended.push(await ledger.append({ ...base, attempt: index }));
    expect((await ledger.entries()).map((entry) => entry.attempt)).toEqual([3, 4]);
    expect((await ledger.entries()).map((entry) => entry.id)).toEqual([appended[3]?.id, appended[4]?.id]);
  });

  it('keeps the unfiltered total exact over every entry, dropped ones included; filtered totals cover kept ones', async () => {
    const store = new MemoryLedgerStore({ maxEntries: 5 });
    const ledger = new Ledger({ store });
    const all = range(1, 31);
    for (const index of all) await ledger.append(entryNumber(index));
    expect(asText(await ledger.total())).toEqual(expectedTotals(all));
    expect(asText(await store.totals())).toEqual(expectedTotals(all));
    expect(asText(await ledger.total({ currency: 'USD' }))).toEqual(
      expectedTotals(range(26, 31).filter((index) => index % 3 !== 0)),
    );
  });

  it('keeps everything with maxEntries Infinity', async () => {
    const store = new MemoryLedgerStore({ maxEntries: Number.POSITIVE_INFINITY });
    const ledger = new Ledger({ store });
    for (const index of range(1, 40)) await ledger.append(entryNumber(index));
    expect(await ledger.entries()).toHaveLength(39);
    expect(store.dropped).toBe(0);
    expect(asText(await ledger.total())).toEqual(expectedTotals(range(1, 40)));
  });

  it('refuses a duplicate of a kept id, and forgets the ids of dropped entries', async () => {
    const store = new MemoryLedgerStore({ maxEntries: 2 });
    const ledger = new Ledger({ store });
    await ledger.append(entryNumber(1));
    await ledger.append(entryNumber(2));
    await expect(ledger.append(entryNumber(2))).rejects.toThrow(/already appended/);
    await ledger.append(entryNumber(3));
    // entry-1 was dropped: its id is free again (duplicates are checked among kept entries).
    await ledger.append(entryNumber(1));
    expect((await ledger.entries()).map((entry) => entry.id)).toEqual(['entry-3', 'entry-1']);
  });
});
