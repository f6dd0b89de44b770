import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';
import { openSqliteDatabase } from '../../../src/cost/sqlite-database.js';
import { SqliteLedgerStore } from '../../../src/cost/sqlite-ledger-store.js';
import { BudgetExceededError } from '../../../src/errors/index.js';

const run = promisify(execFile);
const usd = (amount: string) => Money.of(amount, 'USD');
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('openSqliteDatabase', () => {
  it('opens in WAL mode with a busy timeout', async () => {
    const database = await openSqliteDatabase(join(directory, 'pragmas.db'), { busyTimeoutMs: 1234 });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(1234);
    database.close();
  });
});

describe('SqliteBudgetStore', () => {
  it('holds limits across two connections to one file and survives reopening', async () => {
    const path = join(directory, 'budget.db');
    const limits = [{ limit: usd('1') }, { scope: 'tag:team=a', limit: usd('0.5'), window: 'day' as const }];
    const first = new Budget({ limits, store: await SqliteBudgetStore.open(path) });
    const second = new Budget({ limits, store: await SqliteBudgetStore.open(path) });
    const held = await first.reserve(usd('0.4'), ['tag:team=a']);
    await expect(second.reserve(usd('0.2'), ['tag:team=a'])).rejects.toMatchObject({ scope: 'tag:team=a' });
    await second.settle(held, usd('0.1'));
    await second.reserve(usd('0.4'), ['tag:team=a']);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? first : second).reserve(usd('0.03'))),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(16);
    expect(await first.release(held)).toBe(false);
    await first.close();
    await second.close();

    const reopened = new Budget({ limits, store: await SqliteBudgetStore.open(path) });
    const [global] = await reopened.status();
    expect(global?.spent.toDecimalString()).toBe('0.1');
    expect(global?.reserved.toDecimalString()).toBe('0.88');
    await expect(reopened.reserve(usd('0.03'))).rejects.toThrow(BudgetExceededError);
    await reopened.close();
  });

  it('keeps amounts beyond 64-bit integers exact', async () => {
    const budget = new Budget({
      limits: [{ limit: usd('100000000') }],
      store: await SqliteBudgetStore.open(join(directory, 'big.db')),
    });
    await budget.settle(await budget.reserve(usd('50000000')), usd('50000000.000000000001'));
    expect((await budget.status())[0]?.spent.toDecimalString()).toBe('50000000.000000000001');
    await budget.close();
  });

  it('never overspends with several processes reserving against one database', async () => {
    const path = join(directory, 'processes.db');
    const worker = fileURLToPath(new URL('./fixtures/sqlite-worker.ts', import.meta.url));
    // Three processes try 60 charges of 0.01 each against a 1 USD limit: exactly 100 fit.
    const outputs = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        run(process.execPath, ['--import', 'tsx', worker, path, name, '60', '3'], { timeout: 25_000 }),
      ),
    );
    const accepted = outputs.map(({ stdout }) => (JSON.parse(stdout) as { accepted: number }).accepted);
    expect(accepted.reduce((sum, count) => sum + count, 0)).toBe(100);

    const database = await openSqliteDatabase(path);
    const ledger = new Ledger({ store: await SqliteLedgerStore.open(database) });
    const entries = await ledger.entries();
    expect(entries).toHaveLength(100);
    expect((await ledger.total()).USD?.toDecimalString()).toBe('1');
    for (const [index, name] of ['a', 'b', 'c'].entries()) {
      expect(await ledger.entries({ tags: { worker: name } })).toHaveLength(accepted[index] as number);
    }
    const budget = new Budget({
      limits: [{ limit: usd('1') }],
      store: await SqliteBudgetStore.open(database),
    });
    expect((await budget.status())[0]?.spent.toDecimalString()).toBe('1');
    await ledger.close();
    expect(database.open).toBe(true);
    database.close();
  }, 30_000);
});

describe('SqliteLedgerStore', () => {
  it('refuses a duplicate id', async () => {
    const ledger = new Ledger({
      store: await SqliteLedgerStore.open(join(directory, 'dupes.db')),
      makeId: () => 'same',
    });
    await ledger.append({ model: 'm', provider: 'p', status: 'ok', cost: null });
    await expect(
      ledger.append({ model: 'm', provider: 'p', status: 'ok', cost: null }),
    ).rejects.toMatchObject({
      code: 'duplicate_ledger_entry',
    });
    await ledger.close();
  });
});
