import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import { completeLedgerEntry, type LedgerEntryInput } from '../../../src/cost/ledger-entry.js';
import { MemoryLedgerStore } from '../../../src/cost/memory-ledger-store.js';
import { AiaasError } from '../../../src/errors/index.js';

const base: LedgerEntryInput = { model: 'gpt-4o', provider: 'openai', status: 'ok', cost: null };
const fixedTime = () => new Date('2025-01-01T00:00:00Z');

describe('completeLedgerEntry', () => {
  it('copies and freezes the tags, leaving the caller’s object alone', () => {
    const tags = { team: 'search', env: 'prod' };
    const entry = completeLedgerEntry({ ...base, tags }, () => 'id', fixedTime);
    expect(entry.tags).toEqual(tags);
    expect(entry.tags).not.toBe(tags);
    expect(Object.isFrozen(entry.tags)).toBe(true);
    expect(Object.isFrozen(entry)).toBe(true);
    tags.team = 'other';
    expect(entry.tags.team).toBe('search');
  });

  it('copies only own tags', () => {
    const tags = Object.create({ inherited: 'x' }) as Record<string, string>;
    tags.own = 'y';
    expect(completeLedgerEntry({ ...base, tags }, () => 'id', fixedTime).tags).toEqual({ own: 'y' });
  });

  it('keeps the key order, with apiKeyId (only when given) before time', () => {
    const without = completeLedgerEntry(base, () => 'id', fixedTime);
    expect(Object.keys(without)).toEqual([
      'id',
      'requestId',
      'idempotencyKey',
      'attempt',
      'model',
      'provider',
      'usage',
      'cost',
      'tags',
      'time',
      'status',
    ]);
    expect('apiKeyId' in without).toBe(false);
    const withKey = completeLedgerEntry({ ...base, apiKeyId: 'key_1' }, () => 'id', fixedTime);
    expect(Object.keys(withKey).slice(8, 11)).toEqual(['tags', 'apiKeyId', 'time']);
    expect(withKey.apiKeyId).toBe('key_1');
  });

  it('rejects a non-string tag, after any other problem', () => {
    const badTag = { ...base, tags: { team: 5 as unknown as string } };
    expect(() => completeLedgerEntry(badTag, () => 'id', fixedTime)).toThrow(/tag "team" must be a string/);
    expect(() => completeLedgerEntry({ ...badTag, model: '' }, () => 'id', fixedTime)).toThrow(/model/);
  });
});

describe('MemoryLedgerStore duplicate ids', () => {
  it('refuses a given id that repeats a generated one', async () => {
    const ledger = new Ledger();
    const first = await ledger.append(base);
    await ledger.append({ ...base, id: 'mine' });
    await expect(ledger.append({ ...base, id: 'mine' })).rejects.toMatchObject({
      code: 'duplicate_ledger_entry',
    });
    await expect(ledger.append({ ...base, id: first.id })).rejects.toThrow(/already appended/);
    // Ids generated after that are still accepted, and a repeat of them is still caught.
    const later = await ledger.append(base);
    await expect(ledger.append({ ...base, id: later.id })).rejects.toThrow(AiaasError);
    expect(await ledger.entries()).toHaveLength(3);
  });

  it('refuses an id appended twice straight to the store, UUID or not', async () => {
    const store = new MemoryLedgerStore();
    const entry = completeLedgerEntry(base, randomUUID, fixedTime);
    await store.append(entry);
    await expect(store.append(entry)).rejects.toThrow(/already appended/);
    const named = completeLedgerEntry({ ...base, id: 'named' }, randomUUID, fixedTime);
    await store.append(named);
    await expect(store.append(named)).rejects.toThrow(/already appended/);
  });

  it('a store subclass that overrides append still sees every entry', async () => {
    const seen: string[] = [];
    class Counting extends MemoryLedgerStore {
      override async append(entry: Parameters<MemoryLedgerStore['append']>[0]): Promise<void> {
        seen.push(entry.id);
        await super.append(entry);
      }
    }
    const ledger = new Ledger({ store: new Counting() });
    const entry = await ledger.append(base);
    expect(seen).toEqual([entry.id]);
  });
});

describe('Ledger.appendNow', () => {
  it('stores an entry of the default memory ledger at once, with no promise', async () => {
    const ledger = new Ledger();
    const stored = ledger.appendNow({ ...base, tags: { team: 'search' } });
    expect(stored).not.toBeInstanceOf(Promise);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(await ledger.entries()).toEqual([stored]);
  });

  it('hands back the store’s promise when the store is not the plain memory store', async () => {
    class CountingStore extends MemoryLedgerStore {
      appended = 0;
      override async append(entry: Parameters<MemoryLedgerStore['append']>[0]): Promise<void> {
        this.appended += 1;
        await super.append(entry);
      }
    }
    const store = new CountingStore();
    const stored = new Ledger({ store }).appendNow(base);
    expect(stored).toBeInstanceOf(Promise);
    expect((await stored).model).toBe('gpt-4o');
    expect(store.appended).toBe(1);
  });

  it('throws an invalid entry (append rejects it)', async () => {
    const ledger = new Ledger();
    expect(() => ledger.appendNow({ ...base, model: '' })).toThrow(AiaasError);
    await expect(ledger.append({ ...base, model: '' })).rejects.toThrow(/model must be a non-empty string/);
  });
});
