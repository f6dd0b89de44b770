import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../../src/cost/postgres-ledger-store.js';
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
      ['budget', [1]],
      ['ledger', [1]],
    ]);
    expect(first.map((store) => store.version)).toEqual([1, 1]);
    const again = await migratePostgresStores(postgresUrl(), { schema, tablePrefix: 'app_' });
    expect(again.map((store) => [store.subject, store.applied, store.version])).toEqual([
      ['budget', [], 1],
      ['ledger', [], 1],
    ]);
    const { rows } = await database.query(
      `SELECT subject, version FROM "${schema}".app_migrations ORDER BY subject, version`,
    );
    expect(rows).toEqual([
      { subject: 'budget', version: 1 },
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
    const applied = runs.flatMap((run) => run.flatMap((store) => store.applied.map(() => store.subject)));
    expect(applied.sort()).toEqual(['budget', 'ledger']);
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
