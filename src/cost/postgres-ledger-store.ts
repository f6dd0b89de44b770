import { AiaasError } from '../errors/index.js';
import type { LedgerEntry, LedgerFilter } from './ledger-entry.js';
import { ledgerEntryFromRecord, ledgerEntryToRecord } from './ledger-entry-codec.js';
import type { LedgerStore } from './ledger-store.js';
import type { LedgerStoreOperation } from './ledger-store-error.js';
import { Money } from './money.js';
import {
  type PostgresNames,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresStatement,
} from './postgres-connection.js';
import {
  type OpenedPostgresStore,
  openPostgresStore,
  type PostgresMigration,
} from './postgres-migrations.js';
import {
  type PostgresRetryOptions,
  type ResolvedPostgresRetry,
  withPostgresRetry,
} from './postgres-retry.js';
import { ledgerStoreFailure } from './store-failure.js';

export interface PostgresLedgerStoreOptions extends PostgresStoreOptions {
  /** How an operation that loses a race with another transaction is retried before it fails with `LedgerStoreError`. */
  retry?: PostgresRetryOptions;
}

/** The ledger table as versioned migrations; the cost is also kept as units, for exact sums in the database. */
export function ledgerMigrations(names: PostgresNames): PostgresMigration[] {
  const table = names.qualify('ledger');
  const sql = `
CREATE TABLE ${table} (
  sequence bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  request_id text,
  idempotency_key text,
  attempt integer NOT NULL,
  model text NOT NULL,
  provider text NOT NULL,
  api_key_id text,
  status text NOT NULL,
  time_ms bigint NOT NULL,
  currency text,
  cost_units numeric(40, 0),
  tags jsonb NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX ${names.bare('ledger_time')} ON ${table} (time_ms);
CREATE INDEX ${names.bare('ledger_idempotency_key')} ON ${table} (idempotency_key);
CREATE INDEX ${names.bare('ledger_request_id')} ON ${table} (request_id);
`;
  return [{ version: 1, description: 'ledger entries', sql }];
}

// Filter fields that are columns.
const COLUMN_FILTERS = [
  ['model', 'model'],
  ['provider', 'provider'],
  ['status', 'status'],
  ['apiKeyId', 'api_key_id'],
  ['requestId', 'request_id'],
  ['idempotencyKey', 'idempotency_key'],
  ['currency', 'currency'],
] as const;

const UNIQUE_VIOLATION = '23505';

/**
 * Ledger entries in PostgreSQL: processes on any number of machines append to and read one
 * ledger. Each entry is kept whole as its JSON record (money as decimal strings) beside columns
 * for filtering, and its cost as exact units, so `totals()` sums in the database. Entries come
 * back in append order. Failures are `LedgerStoreError`s, never raw driver errors.
 *
 * @example
 * const ledger = new Ledger({ store: await PostgresLedgerStore.open(process.env.DATABASE_URL) });
 */
export class PostgresLedgerStore implements LedgerStore {
  // A class that refers to itself is renamed by the bundler (`_PostgresLedgerStore`); its name is part of the API.
  static {
    Object.defineProperty(PostgresLedgerStore, 'name', { value: 'PostgresLedgerStore' });
  }

  private readonly table: string;

  private closed = false;

  private readonly pool: PostgresPool;
  private readonly ownsPool: boolean;
  private readonly retry: ResolvedPostgresRetry;
  private readonly prepared: boolean;

  private constructor(opened: OpenedPostgresStore) {
    ({ pool: this.pool, ownsPool: this.ownsPool, retry: this.retry, prepared: this.prepared } = opened);
    this.table = opened.names.qualify('ledger');
  }

  /** Opens a pool on a connection string (closed by `close`), or uses yours, and migrates the table. */
  static async open(
    connection: string | PostgresPool,
    options: PostgresLedgerStoreOptions = {},
  ): Promise<PostgresLedgerStore> {
    const opened = await openPostgresStore(
      connection,
      options,
      ledgerStoreFailure('open'),
      'ledger',
      ledgerMigrations,
    );
    return new PostgresLedgerStore(opened);
  }

  async append(entry: LedgerEntry): Promise<void> {
    const record = ledgerEntryToRecord(entry);
    try {
      await this.query(
        'append',
        `INSERT INTO ${this.table} (id, request_id, idempotency_key, attempt, model, provider, api_key_id, status, time_ms, currency, cost_units, tags, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          entry.id,
          entry.requestId,
          entry.idempotencyKey,
          entry.attempt,
          entry.model,
          entry.provider,
          entry.apiKeyId ?? null,
          entry.status,
          entry.time.getTime(),
          entry.cost?.currency ?? null,
          entry.cost?.units.toString() ?? null,
          JSON.stringify(record.tags),
          JSON.stringify(record),
        ],
      );
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      if (cause?.code === UNIQUE_VIOLATION) {
        throw new AiaasError(`Ledger entry ${entry.id} was already appended.`, {
          code: 'duplicate_ledger_entry',
          cause,
        });
      }
      throw error;
    }
  }

  async entries(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (condition: (parameter: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(condition(`$${values.length}`));
    };
    for (const [field, column] of COLUMN_FILTERS) {
      const value = filter[field];
      if (value !== undefined) where((parameter) => `${column} = ${parameter}`, value);
    }
    if (filter.tags !== undefined)
      where((parameter) => `tags @> ${parameter}::jsonb`, JSON.stringify(filter.tags));
    if (filter.from) where((parameter) => `time_ms >= ${parameter}`, filter.from.getTime());
    if (filter.until) where((parameter) => `time_ms < ${parameter}`, filter.until.getTime());
    const clause = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.query<{ record: unknown }>(
      'entries',
      `SELECT record FROM ${this.table} ${clause} ORDER BY sequence`,
      values,
    );
    return rows.map((row) => ledgerEntryFromRecord(row.record));
  }

  /** Spend per currency over every entry, summed exactly in the database. */
  async totals(): Promise<Record<string, Money>> {
    const rows = await this.query<{ currency: string; units: string }>(
      'entries',
      `SELECT currency, sum(cost_units)::text AS units FROM ${this.table}
       WHERE cost_units IS NOT NULL GROUP BY currency ORDER BY currency`,
      [],
    );
    const totals: Record<string, Money> = {};
    for (const row of rows) totals[row.currency] = Money.fromUnits(BigInt(row.units), row.currency);
    return totals;
  }

  async close(): Promise<void> {
    if (!this.ownsPool || this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query<Row>(operation: LedgerStoreOperation, sql: string, values: unknown[]): Promise<Row[]> {
    const result = await withPostgresRetry(ledgerStoreFailure(operation), this.retry, () =>
      this.pool.query(postgresStatement(this.prepared, sql, values)),
    );
    return result.rows as Row[];
  }
}
