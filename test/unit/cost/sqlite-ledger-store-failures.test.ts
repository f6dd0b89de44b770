import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import { completeLedgerEntry } from '../../../src/cost/ledger-entry.js';
import { LedgerStoreError } from '../../../src/cost/ledger-store-error.js';
import { Money } from '../../../src/cost/money.js';
import { openSqliteDatabase } from '../../../src/cost/sqlite-database.js';
import { SqliteLedgerStore } from '../../../src/cost/sqlite-ledger-store.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { AiaasError } from '../../../src/errors/index.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-sqlite-ledger-failures-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const entry = (id: string) => ({
  id,
  requestId: `req-${id}`,
  idempotencyKey: `key-${id}`,
  attempt: 1,
  model: 'ref-chat',
  provider: 'openai',
  usage: makeUsage({ inputTokens: 10, outputTokens: 5, requests: 1 }),
  cost: Money.of('0.001', 'USD'),
  tags: {},
  status: 'ok' as const,
});

describe('SqliteLedgerStore under a second connection holding the write lock', () => {
  it('an append that stays busy fails typed and writes nothing; the same append passes once the lock is gone', async () => {
    const path = join(directory, 'busy-append.db');
    const store = await SqliteLedgerStore.open(path, {
      busyTimeoutMs: 0,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
    });
    const ledger = new Ledger({ store });
    const blocker = await openSqliteDatabase(path, { busyTimeoutMs: 0 });
    blocker.exec('BEGIN IMMEDIATE');
    const error = await ledger.append(entry('a')).catch((caught: unknown) => caught);
    blocker.exec('ROLLBACK');
    expect(error).toBeInstanceOf(LedgerStoreError);
    expect(AiaasError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'store_busy', operation: 'append', retryable: true });
    expect((error as Error).message).toMatch(
      /Ledger store append failed: .*locked by another connection through 3 tries/,
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(await ledger.entries()).toEqual([]);

    await ledger.append(entry('a'));
    expect((await ledger.entries()).map((stored) => stored.id)).toEqual(['a']);
    blocker.close();
    await store.close();
  });

  it('retries an append while the lock is held and succeeds once it is released', async () => {
    const path = join(directory, 'busy-retry.db');
    const store = await SqliteLedgerStore.open(path, {
      busyTimeoutMs: 0,
      retry: { attempts: 50, initialDelayMs: 5 },
    });
    const blocker = await openSqliteDatabase(path, { busyTimeoutMs: 0 });
    const count = () => (blocker.prepare('SELECT COUNT(*) AS n FROM aiaas_ledger').get() as { n: number }).n;
    blocker.exec('BEGIN IMMEDIATE');
    // The first try runs before append returns its promise: it found the lock and wrote nothing.
    const pending = store.append(
      completeLedgerEntry(
        entry('b'),
        () => 'b',
        () => new Date(),
      ),
    );
    expect(count()).toBe(0);
    blocker.exec('ROLLBACK');
    await pending;
    expect(count()).toBe(1);
    blocker.close();
    await store.close();
  });

  it('a duplicate id stays its own error; any other failure is a LedgerStoreError, never a raw SqliteError', async () => {
    const database = await openSqliteDatabase(join(directory, 'closed.db'));
    const store = await SqliteLedgerStore.open(database);
    const ledger = new Ledger({ store });
    await ledger.append(entry('c'));
    await expect(ledger.append(entry('c'))).rejects.toMatchObject({ code: 'duplicate_ledger_entry' });
    database.close();
    await expect(store.entries({})).rejects.toMatchObject({
      name: 'LedgerStoreError',
      code: 'store_failed',
      operation: 'entries',
      retryable: false,
    });
    await expect(ledger.append(entry('d'))).rejects.toBeInstanceOf(LedgerStoreError);
    await expect(SqliteLedgerStore.open(database)).rejects.toMatchObject({
      code: 'store_failed',
      operation: 'open',
    });
    await expect(SqliteLedgerStore.open(database, { retry: { attempts: 0 } })).rejects.toThrow(/attempts/);
  });
});
