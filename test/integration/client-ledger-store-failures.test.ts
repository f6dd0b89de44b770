import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/cost/sqlite-database.js';
import { Budget, Ledger, LedgerStoreError, Money, SqliteLedgerStore } from '../../src/index.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-client-ledger-failures-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a call whose ledger store stays locked (issue 15)', () => {
  const server = useTestReferenceServer({ pricing: 'server', maxRetries: 0 });

  it('fails with a typed LedgerStoreError, and the budget still settles at what the server billed', async () => {
    const path = join(directory, 'locked-ledger.db');
    const store = await SqliteLedgerStore.open(path, {
      busyTimeoutMs: 0,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
    });
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'hard' }] });
    const client = server.client({ budget, ledger: new Ledger({ store }) });
    const blocker = await openSqliteDatabase(path, { busyTimeoutMs: 0 });
    blocker.exec('BEGIN IMMEDIATE');
    const params = {
      model: 'ref-chat',
      messages: [{ role: 'user' as const, content: 'Hello' }],
      max_tokens: 8,
    };
    const error = await client.chat.completions.create(params).catch((caught: unknown) => caught);
    blocker.exec('ROLLBACK');
    expect(error).toBeInstanceOf(LedgerStoreError);
    expect(error).toMatchObject({ code: 'store_busy', operation: 'append', retryable: true });

    // The call ran and was billed: its reservation is closed at the server's amount, not left open or released.
    const usage = await fetchServerUsage(server.url);
    expect(usage.data).toHaveLength(1);
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.equals(Money.of(usage.totals.USD ?? '0', 'USD'))).toBe(true);
    expect(status?.spent.isPositive()).toBe(true);
    blocker.close();
    await client.close();
    await store.close();
  });
});
