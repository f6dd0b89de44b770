import { budgetMigrations } from './postgres-budget-schema.js';
import {
  openPostgresPool,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresNames,
} from './postgres-connection.js';
import { ledgerMigrations } from './postgres-ledger-store.js';
import {
  applyPostgresMigrations,
  type PostgresMigration,
  type PostgresMigrationSubject,
} from './postgres-migrations.js';
import { type PostgresRetryOptions, resolvePostgresRetry, withPostgresRetry } from './postgres-retry.js';
import { budgetStoreFailure, ledgerStoreFailure } from './store-failure.js';

/** What {@link migratePostgresStores} did to one store's tables. */
export interface PostgresStoreMigration {
  readonly subject: PostgresMigrationSubject;
  /** The migrations applied now, oldest first; none when the tables were up to date. */
  readonly applied: readonly PostgresMigration[];
  /** The schema version the tables are at now. */
  readonly version: number;
}

/**
 * Creates both PostgreSQL stores' tables (budget, then ledger) in one schema and prefix, or brings
 * them up to this aiaas's schema version, as the stores do when they open: for those who apply
 * migrations by hand (`aiaas db migrate`) and open the stores with `migrate: false`. Safe to run
 * again, and from several machines at once (they take turns). A pool given is left open.
 *
 * @example
 * const stores = await migratePostgresStores('postgres://localhost/app', { schema: 'billing' });
 * // [{ subject: 'budget', applied: [{ version: 1, ... }], version: 1 }, { subject: 'ledger', ... }]
 */
export async function migratePostgresStores(
  connection: string | PostgresPool,
  options: PostgresStoreOptions & { retry?: PostgresRetryOptions | undefined } = {},
): Promise<PostgresStoreMigration[]> {
  const names = postgresNames(options);
  const retry = resolvePostgresRetry(options.retry);
  const ownsPool = typeof connection === 'string';
  const pool = ownsPool ? await openPostgresPool(connection, { maxConnections: 1, ...options }) : connection;
  const subjects = [
    { subject: 'budget', migrations: budgetMigrations(names), failure: budgetStoreFailure('open') },
    { subject: 'ledger', migrations: ledgerMigrations(names), failure: ledgerStoreFailure('open') },
  ] as const;
  try {
    const done: PostgresStoreMigration[] = [];
    for (const { subject, migrations, failure } of subjects) {
      const versions = await withPostgresRetry(failure, retry, () =>
        applyPostgresMigrations(pool, names, subject, migrations),
      );
      done.push({
        subject,
        applied: migrations
          .filter((migration) => versions.includes(migration.version))
          .sort((left, right) => left.version - right.version),
        version: Math.max(...migrations.map((migration) => migration.version)),
      });
    }
    return done;
  } finally {
    if (ownsPool) await pool.end().catch(() => {});
  }
}
