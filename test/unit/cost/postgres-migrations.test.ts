import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Money } from '../../../src/cost/money.js';
import { budgetMigrations } from '../../../src/cost/postgres-budget-schema.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { postgresNames } from '../../../src/cost/postgres-connection.js';
import { PostgresLedgerStore } from '../../../src/cost/postgres-ledger-store.js';
import { applyPostgresMigrations } from '../../../src/cost/postgres-migrations.js';
import { migratePostgresStores } from '../../../src/cost/postgres-store-migrations.js';
import { postgresUrl, usePostgresSchemas } from '../../support/postgres-schemas.js';

const schemas = usePostgresSchemas();
const database = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
afterAll(() => database.end());

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await database.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length === 1;
}

describe('migratePostgresStores (aiaas db migrate)', () => {
  it('creates both stores’ tables once, says which versions it applied, and then finds nothing to do', async () => {
    const schema = schemas.fresh();
    const first = await migratePostgresStores(postgresUrl(), { schema, tablePrefix: 'app_' });
    expect(
      first.map((store) => [store.subject, store.applied.map((migration) => migration.version)]),
    ).toEqual([
      ['budget', [1, 2, 3]],
      ['ledger', [1]],
    ]);
    expect(first.map((store) => store.version)).toEqual([3, 1]);
    const again = await migratePostgresStores(postgresUrl(), { schema, tablePrefix: 'app_' });
    expect(again.map((store) => [store.subject, store.applied, store.version])).toEqual([
      ['budget', [], 3],
      ['ledger', [], 1],
    ]);
    const { rows } = await database.query(
      `SELECT subject, version FROM "${schema}".app_migrations ORDER BY subject, version`,
    );
    expect(rows).toEqual([
      { subject: 'budget', version: 1 },
      { subject: 'budget', version: 2 },
      { subject: 'budget', version: 3 },
      { subject: 'ledger', version: 1 },
    ]);
    // Stores opened without migrating use the tables as they are.
    const ledger = await PostgresLedgerStore.open(postgresUrl(), {
      schema,
      tablePrefix: 'app_',
      migrate: false,
    });
    expect(await ledger.entries({})).toEqual([]);
    await ledger.close();
    const budget = await PostgresBudgetStore.open(postgresUrl(), {
      schema,
      tablePrefix: 'app_',
      migrate: false,
    });
    await budget.close();
  });

  it('runs from several machines at once: one applies each version, the others wait and find it done', async () => {
    const schema = schemas.fresh();
    const runs = await Promise.all([1, 2, 3].map(() => migratePostgresStores(postgresUrl(), { schema })));
    const applied = runs.flatMap((run) =>
      run.flatMap((store) => store.applied.map((migration) => `${store.subject} ${migration.version}`)),
    );
    expect(applied.sort()).toEqual(['budget 1', 'budget 2', 'budget 3', 'ledger 1']);
  });
});

describe('PostgresBudgetStore schema version 2', () => {
  it('upgrades a version 1 database in place: its open reservation settles, and the tallies agree', async () => {
    const schema = schemas.fresh();
    const names = postgresNames({ schema });
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
    await applyPostgresMigrations(pool, names, 'budget', budgetMigrations(names).slice(0, 1));
    const older = await PostgresBudgetStore.open(pool, { schema, migrate: false }).catch(
      (error: unknown) => error,
    );
    expect(older).toMatchObject({ code: 'schema_outdated' });
    // What a version 1 store wrote: a settled charge and an open one, through its own functions.
    const time = Date.now();
    for (const id of ['settled', 'open']) {
      await pool.query(
        `SELECT * FROM ${names.qualify('budget_reserve')}($1, ARRAY['global'], 'USD', 2000000000000, $2, 'old', $3, NULL, NULL, NULL, $2, ARRAY['global'], ARRAY[NULL::bigint], ARRAY[10000000000000], ARRAY[true])`,
        [id, time, time + 60_000],
      );
    }
    await pool.query(`SELECT ${names.qualify('budget_close')}('settled', 'settled', 500000000000, $1)`, [
      time,
    ]);

    const store = await PostgresBudgetStore.open(pool, { schema });
    const check = { limitId: 'g', scope: 'global', since: null, limit: Money.of('10', 'USD'), hard: true };
    const [before] = await store.tally([check]);
    expect([before?.spent.toDecimalString(), before?.reserved.toDecimalString()]).toEqual(['0.5', '2']);
    expect(await store.settle('open', Money.of('1.25', 'USD'), new Date())).toBe('settled');
    const [after] = await store.tally([check]);
    expect([after?.spent.toDecimalString(), after?.reserved.toDecimalString()]).toEqual(['1.75', '0']);
    await pool.end();
  });
});

describe('a PostgreSQL store opened with migrate: false', () => {
  it('refuses a schema without its tables, naming where it looked, and creates nothing', async () => {
    const schema = schemas.fresh();
    const opening = PostgresLedgerStore.open(postgresUrl(), { schema, migrate: false });
    await expect(opening).rejects.toMatchObject({
      code: 'schema_missing',
      message: expect.stringMatching(
        new RegExp(
          `no aiaas ledger tables in schema "${schema}" with table prefix "aiaas_".*aiaas db migrate`,
        ),
      ),
    });
    expect(await schemaExists(schema)).toBe(false);
  });

  it('refuses one store’s tables missing beside the other’s', async () => {
    const schema = schemas.fresh();
    await (await PostgresLedgerStore.open(postgresUrl(), { schema })).close();
    await expect(PostgresBudgetStore.open(postgresUrl(), { schema, migrate: false })).rejects.toMatchObject({
      code: 'schema_missing',
    });
  });

  it('refuses tables a newer aiaas migrated', async () => {
    const schema = schemas.fresh();
    await migratePostgresStores(postgresUrl(), { schema });
    await database.query(
      `INSERT INTO "${schema}".aiaas_migrations (subject, version, description) VALUES ('ledger', 2, 'from the future')`,
    );
    await expect(PostgresLedgerStore.open(postgresUrl(), { schema, migrate: false })).rejects.toMatchObject({
      code: 'schema_too_new',
    });
  });
});
