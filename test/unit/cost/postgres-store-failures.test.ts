import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import type { BudgetCharge } from '../../../src/cost/budget-store.js';
import { BudgetStoreError } from '../../../src/cost/budget-store-error.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { LedgerStoreError } from '../../../src/cost/ledger-store-error.js';
import { Money } from '../../../src/cost/money.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../../src/cost/postgres-ledger-store.js';
import { AiaasError, InvalidOptionError } from '../../../src/errors/index.js';
import { postgresUrl, usePostgresSchemas } from '../../support/postgres-schemas.js';

// What only a PostgreSQL store can meet: other transactions holding its lock, serialization
// failures, a connection killed mid-operation, a pool that is yours. How it behaves like every
// other store: test/contract/postgres-stores.test.ts.

const usd = (amount: string) => Money.of(amount, 'USD');
const schemas = usePostgresSchemas();
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
});

function pool(options: pg.PoolConfig = {}): pg.Pool {
  const made = new pg.Pool({ connectionString: postgresUrl(), max: 4, ...options });
  made.on('error', () => {});
  pools.push(made);
  return made;
}

async function countRows(schema: string): Promise<number> {
  const { rows } = await pool({ max: 1 }).query(
    `SELECT count(*)::int AS n FROM "${schema}".aiaas_budget_charges`,
  );
  return (rows[0] as { n: number }).n;
}

/** Resolves once some connection of the test database waits for a lock (the store's operation has started). */
async function someoneWaitsForALock(watcher: pg.Pool): Promise<number> {
  let waiting = 0;
  await vi.waitFor(
    async () => {
      const { rows } = await watcher.query(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
      );
      expect(rows).toHaveLength(1);
      waiting = (rows[0] as { pid: number }).pid;
    },
    { timeout: 10_000, interval: 20 },
  );
  return waiting;
}

/**
 * Begins a transaction that creates (or changes) the global USD totals row and holds it: what a
 * reserve locks first.
 */
async function holdGlobalTotals(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query(
    `BEGIN; INSERT INTO "${schema}".aiaas_budget_totals AS t (scope, currency, spent, reserved)
     VALUES ('global', 'USD', 0, 0) ON CONFLICT (scope, currency) DO UPDATE SET reserved = t.reserved`,
  );
}

const charge = (id: string): BudgetCharge => ({
  id,
  scopes: ['global'],
  amount: usd('0.3'),
  time: new Date(),
  owner: 'owner',
  expiresAt: new Date(Date.now() + 60_000),
  idempotencyKey: null,
  model: null,
  provider: null,
});
const globalCheck = { limitId: 'g', scope: 'global', since: null, limit: usd('1'), hard: true };

describe('PostgresBudgetStore migrations', () => {
  it('processes opening one new database at once migrate it once; reopening applies nothing', async () => {
    const schema = schemas.fresh();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresBudgetStore.open(postgresUrl(), { schema, maxConnections: 1 })),
    );
    const ledgers = await Promise.all([
      PostgresLedgerStore.open(postgresUrl(), { schema }),
      PostgresLedgerStore.open(postgresUrl(), { schema }),
    ]);
    const { rows } = await pool().query(
      `SELECT subject, version FROM "${schema}".aiaas_migrations ORDER BY subject, version`,
    );
    expect(rows).toEqual([
      { subject: 'budget', version: 1 },
      { subject: 'budget', version: 2 },
      { subject: 'budget', version: 3 },
      { subject: 'ledger', version: 1 },
    ]);
    await stores[0]?.reserve(charge('c1'), [globalCheck]);
    for (const store of [...stores, ...ledgers]) await store.close();
    const reopened = await PostgresBudgetStore.open(postgresUrl(), { schema });
    expect((await reopened.charges({ ids: ['c1'] })).map((stored) => stored.state)).toEqual(['reserved']);
    await reopened.close();
  });

  it('refuses tables a newer aiaas migrated, and names that are not plain identifiers', async () => {
    const schema = schemas.fresh();
    await (await PostgresBudgetStore.open(postgresUrl(), { schema })).close();
    await pool().query(
      `INSERT INTO "${schema}".aiaas_migrations (subject, version, description) VALUES ('budget', 4, 'future')`,
    );
    await expect(PostgresBudgetStore.open(postgresUrl(), { schema })).rejects.toMatchObject({
      code: 'schema_too_new',
      message: expect.stringMatching(/schema version 4, newer than this aiaas knows \(3\)/),
    });
    await expect(PostgresBudgetStore.open(postgresUrl(), { schema: 'Bad-Name' })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(PostgresLedgerStore.open(postgresUrl(), { tablePrefix: 'x"; DROP' })).rejects.toThrow(
      /tablePrefix/,
    );
    await expect(
      PostgresLedgerStore.open(postgresUrl(), { schema, preparedStatements: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/`preparedStatements`: got "yes"; expected true or false/);
  });

  it('keeps apart two budgets with different table prefixes in one schema, on a pool of yours left open', async () => {
    const schema = schemas.fresh();
    const yours = pool();
    const team = await PostgresBudgetStore.open(yours, { schema, tablePrefix: 'team_' });
    const other = await PostgresBudgetStore.open(yours, { schema, tablePrefix: 'other_' });
    const limits = [{ limit: usd('1') }];
    const budgets = [new Budget({ limits, store: team }), new Budget({ limits, store: other })];
    for (const budget of budgets) await budget.reserve(usd('1'));
    // Closing the budgets stops their lease renewal before the stores close under it.
    for (const budget of budgets) await budget.close();
    const { rows } = await yours.query(`SELECT count(*)::int AS n FROM "${schema}".team_budget_charges`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});

describe('PostgresBudgetStore under other transactions', () => {
  it('retries while another transaction holds its lock, then fails typed and writes nothing', async () => {
    const schema = schemas.fresh();
    const store = await PostgresBudgetStore.open(postgresUrl(), {
      schema,
      lockTimeoutMs: 50,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
    });
    const blocker = await pool().connect();
    await holdGlobalTotals(blocker, schema);
    const error = await store.reserve(charge('blocked'), [globalCheck]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetStoreError);
    expect(AiaasError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'store_busy', operation: 'reserve', retryable: true });
    expect((error as Error).message).toMatch(/another connection held the lock it needed through 3 tries/);
    expect(((error as Error).cause as { code?: string }).code).toBe('55P03');
    await blocker.query('ROLLBACK');
    blocker.release();
    expect(await countRows(schema)).toBe(0);
    expect((await store.reserve(charge('blocked'), [globalCheck])).accepted).toBe(true);
    await store.close();
  });

  it('under SERIALIZABLE default isolation, a reserve that lost the race is retried on a fresh snapshot', async () => {
    const schema = schemas.fresh();
    const serializable = pool({ options: '-c default_transaction_isolation=serializable' });
    const once = await PostgresBudgetStore.open(serializable, { schema, retry: { attempts: 1 } });
    const patient = await PostgresBudgetStore.open(serializable, { schema, retry: { attempts: 5 } });
    const watcher = pool({ max: 1 });
    for (const [store, expected] of [
      [once, 'store_busy'],
      [patient, 'accepted'],
    ] as const) {
      // The store's transaction starts (its snapshot taken) while the totals row is held...
      const blocker = await pool({ max: 1 }).connect();
      await holdGlobalTotals(blocker, schema);
      const pending = store.reserve(charge(`c-${expected}`), [globalCheck]).then(
        (result) => (result.accepted ? 'accepted' : 'refused'),
        (error: unknown) => (error as BudgetStoreError).code,
      );
      await someoneWaitsForALock(watcher);
      // ... and the row changes under it: 40001, retried when the store may try again.
      await blocker.query('COMMIT');
      blocker.release();
      expect(await pending).toBe(expected);
    }
    const [tally] = await patient.tally([globalCheck]);
    expect(tally?.reserved.toDecimalString()).toBe('0.3');
    await once.close();
    await patient.close();
  });

  it('a connection killed mid-reserve leaves nothing behind, fails typed, and the store goes on', async () => {
    const schema = schemas.fresh();
    const store = await PostgresBudgetStore.open(postgresUrl(), { schema, maxConnections: 2 });
    const budget = new Budget({ limits: [{ limit: usd('1') }], store });
    const watcher = pool({ max: 1 });
    const blocker = await pool({ max: 1 }).connect();
    await holdGlobalTotals(blocker, schema);
    const pending = budget.reserve(usd('0.4')).catch((caught: unknown) => caught);
    const waiting = await someoneWaitsForALock(watcher);
    await watcher.query('SELECT pg_terminate_backend($1)', [waiting]);
    const error = await pending;
    expect(error).toBeInstanceOf(BudgetStoreError);
    expect(error).toMatchObject({ code: 'store_failed', operation: 'reserve' });
    await blocker.query('ROLLBACK');
    blocker.release();
    expect(await countRows(schema)).toBe(0);
    await budget.settle(await budget.reserve(usd('0.4')), usd('0.1'));
    expect((await budget.status())[0]?.spent.toDecimalString()).toBe('0.1');
    await budget.close();
  });

  it('any other failure is a typed store error, never a raw driver error', async () => {
    const unreachable = 'postgres://aiaas@127.0.0.1:1/none';
    await expect(PostgresBudgetStore.open(unreachable)).rejects.toMatchObject({
      name: 'BudgetStoreError',
      code: 'store_failed',
      operation: 'open',
    });
    await expect(PostgresLedgerStore.open(unreachable)).rejects.toBeInstanceOf(LedgerStoreError);
    const schema = schemas.fresh();
    const yours = pool();
    const store = await PostgresBudgetStore.open(yours, { schema });
    const ledger = new Ledger({ store: await PostgresLedgerStore.open(yours, { schema }) });
    await yours.query(`DROP SCHEMA "${schema}" CASCADE`);
    await expect(store.tally([globalCheck])).rejects.toMatchObject({
      name: 'BudgetStoreError',
      code: 'store_failed',
      operation: 'tally',
      retryable: false,
    });
    await expect(store.settle('x', usd('1'), new Date())).rejects.toBeInstanceOf(BudgetStoreError);
    await expect(
      ledger.append({ model: 'm', provider: 'p', status: 'ok', cost: null }),
    ).rejects.toMatchObject({
      name: 'LedgerStoreError',
      operation: 'append',
      message: expect.stringMatching(/SQLSTATE 42P01/),
    });
    await expect(PostgresBudgetStore.open(yours, { retry: { attempts: 0 } })).rejects.toThrow(/attempts/);
  });
});

describe('PostgresBudgetStore settles racing sweeps and claims', () => {
  it('counts each lapsed charge once, whether its settle or a sweep reaches it first', async () => {
    const schema = schemas.fresh();
    const settler = await PostgresBudgetStore.open(postgresUrl(), { schema, maxConnections: 8 });
    const sweeper = await PostgresBudgetStore.open(postgresUrl(), { schema, maxConnections: 4 });
    const time = new Date();
    const lapsing = (id: string) => ({ ...charge(id), amount: usd('0.01'), time, expiresAt: time });
    const ids = Array.from({ length: 60 }, (_, index) => `lapsed-${index}`);
    const roomy = { ...globalCheck, limit: usd('100') };
    for (const id of ids) await settler.reserve(lapsing(id), [roomy], new Date(time.getTime() - 1));
    // Settles (at 0.004 each) race reserves that sweep the same lapsed charges and claims of their expiries.
    const later = new Date(time.getTime() + 1);
    const outcomes = await Promise.all([
      ...ids.map((id) => settler.settle(id, usd('0.004'), later)),
      ...Array.from({ length: 20 }, (_, index) => sweeper.reserve(charge(`new-${index}`), [roomy], later)),
      sweeper.claimExpired('claimant', later),
      sweeper.claimExpired('claimant', later),
    ]);
    const settles = outcomes.slice(0, ids.length);
    expect(settles.every((outcome) => outcome === 'settled' || outcome === 'settled-after-expiry')).toBe(
      true,
    );
    const [tally] = await sweeper.tally([{ ...roomy, since: null }], later);
    // 60 settled at 0.004 and 20 new reservations of 0.3: nothing doubled, nothing lost.
    expect([tally?.spent.toDecimalString(), tally?.reserved.toDecimalString()]).toEqual(['0.24', '6']);
    const settled = await sweeper.charges({ ids });
    expect(settled.every((stored) => stored.state === 'settled' && stored.spent?.equals(usd('0.004')))).toBe(
      true,
    );
    await settler.close();
    await sweeper.close();
  });
});
