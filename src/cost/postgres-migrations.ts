import { AiaasError } from '../errors/index.js';
import {
  openPostgresPool,
  type PostgresNames,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresNames,
  preparedStatementsOption,
} from './postgres-connection.js';
import {
  type PostgresRetryOptions,
  type ResolvedPostgresRetry,
  resolvePostgresRetry,
  withPostgresRetry,
} from './postgres-retry.js';
import type { StoreFailure } from './store-failure.js';

/** One step of a store's schema, applied once, in version order. */
export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Which store's migrations: both keep their versions in one `<prefix>migrations` table. */
export type PostgresMigrationSubject = 'budget' | 'ledger';

/**
 * Brings a store's tables up to the newest version, in one transaction that first takes an
 * advisory lock on the schema and prefix: processes opening one database at once wait for each
 * other, and the first migrates while the rest find nothing left to do. A database migrated by
 * a newer aiaas is refused rather than used with a schema this version does not know.
 * Returns the versions it applied.
 *
 * @example
 * await applyPostgresMigrations(pool, names, 'budget', budgetMigrations(names));
 */
export async function applyPostgresMigrations(
  pool: PostgresPool,
  names: PostgresNames,
  subject: PostgresMigrationSubject,
  migrations: readonly PostgresMigration[],
): Promise<number[]> {
  const table = names.qualify('migrations');
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [names.migrationLockKey]);
    // Under the lock: concurrent `CREATE ... IF NOT EXISTS` can still collide without it.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         subject text NOT NULL,
         version integer NOT NULL,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (subject, version))`,
    );
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS version FROM ${table} WHERE subject = $1`,
      [subject],
    );
    const current = Number((rows[0] as { version: number | string }).version);
    const newest = newestVersion(migrations);
    if (current > newest) throw schemaTooNew(names, subject, current, newest);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((left, right) => left.version - right.version)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${table} (subject, version, description) VALUES ($1, $2, $3)`, [
        subject,
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A connection whose transaction failed part-way is not handed to anyone else.
    client.release(failed);
  }
}

/**
 * Checks, changing nothing, that a store's tables are at the newest version this aiaas knows: what
 * a store opened with `migrate: false` does instead of migrating. Missing or older tables fail
 * with a message that says how to create or update them (`schema_missing`, `schema_outdated`);
 * newer ones as in {@link applyPostgresMigrations}.
 *
 * @example
 * await checkPostgresMigrations(pool, names, 'ledger', ledgerMigrations(names));
 */
export async function checkPostgresMigrations(
  pool: PostgresPool,
  names: PostgresNames,
  subject: PostgresMigrationSubject,
  migrations: readonly PostgresMigration[],
): Promise<void> {
  const table = names.qualify('migrations');
  // to_regclass answers null for a missing table, where a SELECT from it would fail.
  const found = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  let current = 0;
  if ((found.rows[0] as { present: boolean }).present) {
    const { rows } = await pool.query(
      `SELECT coalesce(max(version), 0) AS version FROM ${table} WHERE subject = $1`,
      [subject],
    );
    current = Number((rows[0] as { version: number | string }).version);
  }
  const newest = newestVersion(migrations);
  const where = `schema "${names.schema}" with table prefix "${names.prefix}"`;
  if (current === 0) {
    throw new AiaasError(
      `There are no aiaas ${subject} tables in ${where}: nothing was recorded there yet, or they are in another ` +
        'schema or under another prefix. `aiaas db migrate` creates them.',
      { code: 'schema_missing' },
    );
  }
  if (current < newest) {
    throw new AiaasError(
      `The aiaas ${subject} tables in ${where} are at schema version ${current}; this aiaas uses version ${newest}. ` +
        '`aiaas db migrate` brings them up to date.',
      { code: 'schema_outdated' },
    );
  }
  if (current > newest) throw schemaTooNew(names, subject, current, newest);
}

function newestVersion(migrations: readonly PostgresMigration[]): number {
  return migrations.reduce((highest, migration) => Math.max(highest, migration.version), 0);
}

function schemaTooNew(
  names: PostgresNames,
  subject: PostgresMigrationSubject,
  current: number,
  newest: number,
): AiaasError {
  return new AiaasError(
    `The ${subject} tables in ${names.schema} (prefix ${names.prefix}) are at schema version ${current}, ` +
      `newer than this aiaas knows (${newest}): upgrade aiaas to use them.`,
    { code: 'schema_too_new' },
  );
}

/** A store's connection, ready: its tables migrated. */
export interface OpenedPostgresStore {
  readonly pool: PostgresPool;
  /** True when the store opened the pool (from a connection string), so its `close` ends it. */
  readonly ownsPool: boolean;
  readonly names: PostgresNames;
  readonly retry: ResolvedPostgresRetry;
  /** Whether hot statements are sent as named, prepared statements (`preparedStatements`). */
  readonly prepared: boolean;
}

/**
 * What both PostgreSQL stores do on open: check the options, open a pool on a connection string
 * (or take yours), and migrate the store's tables (or, with `migrate: false`, check that they are
 * up to date); a pool it opened is ended if that fails.
 *
 * @example
 * const opened = await openPostgresStore(url, options, budgetStoreFailure('open'), 'budget', budgetMigrations);
 */
export async function openPostgresStore(
  connection: string | PostgresPool,
  options: PostgresStoreOptions & { retry?: PostgresRetryOptions | undefined },
  failure: StoreFailure,
  subject: PostgresMigrationSubject,
  migrationsOf: (names: PostgresNames) => PostgresMigration[],
): Promise<OpenedPostgresStore> {
  const retry = resolvePostgresRetry(options.retry);
  const names = postgresNames(options);
  const prepared = preparedStatementsOption(options);
  const ownsPool = typeof connection === 'string';
  const pool = ownsPool ? await openPostgresPool(connection, options) : connection;
  try {
    const migrations = migrationsOf(names);
    await withPostgresRetry<unknown>(failure, retry, () =>
      options.migrate === false
        ? checkPostgresMigrations(pool, names, subject, migrations)
        : applyPostgresMigrations(pool, names, subject, migrations),
    );
  } catch (error) {
    if (ownsPool) await pool.end().catch(() => {});
    throw error;
  }
  return { pool, ownsPool, names, retry, prepared };
}
