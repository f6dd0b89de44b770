import { AiaasError } from '../errors/index.js';
import { type LedgerEntry, type LedgerFilter, matchesLedgerFilter } from './ledger-entry.js';
import { ledgerEntryFromRecord, ledgerEntryToRecord } from './ledger-entry-codec.js';
import type { LedgerStore } from './ledger-store.js';
import {
  ledgerStoreFailure,
  type ResolvedSqliteRetry,
  resolveSqliteRetry,
  type SqliteRetryOptions,
  withSqliteRetry,
} from './sqlite-busy-retry.js';
import { type OpenSqliteOptions, openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';

export interface SqliteLedgerStoreOptions extends OpenSqliteOptions {
  /** How an operation that finds the database locked is retried before it fails with `LedgerStoreError`. */
  retry?: SqliteRetryOptions | undefined;
}

const appendFailure = ledgerStoreFailure('append');
const entriesFailure = ledgerStoreFailure('entries');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS aiaas_ledger (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  request_id TEXT,
  idempotency_key TEXT,
  attempt INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  api_key_id TEXT,
  status TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  currency TEXT,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aiaas_ledger_time ON aiaas_ledger (time_ms);
CREATE INDEX IF NOT EXISTS aiaas_ledger_idempotency_key ON aiaas_ledger (idempotency_key);
CREATE INDEX IF NOT EXISTS aiaas_ledger_request_id ON aiaas_ledger (request_id);
`;

// Filter fields that are columns; tags are matched on the decoded entry.
const COLUMN_FILTERS = [
  ['model', 'model'],
  ['provider', 'provider'],
  ['status', 'status'],
  ['apiKeyId', 'api_key_id'],
  ['requestId', 'request_id'],
  ['idempotencyKey', 'idempotency_key'],
  ['currency', 'currency'],
] as const;

/**
 * Ledger entries in a SQLite database (better-sqlite3, WAL mode): several processes on one host
 * can append and read the same file safely. The full entry is kept as its JSON record (money as
 * decimal strings); the columns beside it are for filtering.
 *
 * @example
 * const ledger = new Ledger({ store: await SqliteLedgerStore.open('./spend.db') });
 */
export class SqliteLedgerStore implements LedgerStore {
  // A class that refers to itself is renamed by the bundler (`_SqliteLedgerStore`); its name is part of the API.
  static {
    Object.defineProperty(SqliteLedgerStore, 'name', { value: 'SqliteLedgerStore' });
  }

  private constructor(
    private readonly database: SqliteDatabase,
    private readonly ownsDatabase: boolean,
    private readonly retry: ResolvedSqliteRetry,
  ) {}

  /**
   * Opens a database file, or uses an open one (shared with a budget store; then `close` leaves
   * it open). A database locked by another connection is retried, then fails with `LedgerStoreError`.
   */
  static async open(
    pathOrDatabase: string | SqliteDatabase,
    options: SqliteLedgerStoreOptions = {},
  ): Promise<SqliteLedgerStore> {
    const retry = resolveSqliteRetry(options.retry);
    const owns = typeof pathOrDatabase === 'string';
    const database = owns ? await openSqliteDatabase(pathOrDatabase, options) : pathOrDatabase;
    try {
      await withSqliteRetry(ledgerStoreFailure('open'), retry, () => database.exec(SCHEMA));
    } catch (error) {
      if (owns) database.close();
      throw error;
    }
    return new SqliteLedgerStore(database, owns, retry);
  }

  async append(entry: LedgerEntry): Promise<void> {
    await withSqliteRetry(appendFailure, this.retry, () => this.#insert(entry));
  }

  #insert(entry: LedgerEntry): void {
    try {
      this.database
        .prepare(
          `INSERT INTO aiaas_ledger (id, request_id, idempotency_key, attempt, model, provider, api_key_id, status, time_ms, currency, record)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
          JSON.stringify(ledgerEntryToRecord(entry)),
        );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AiaasError(`Ledger entry ${entry.id} was already appended.`, {
          code: 'duplicate_ledger_entry',
          cause: error,
        });
      }
      throw error;
    }
  }

  async entries(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    for (const [field, column] of COLUMN_FILTERS) {
      const value = filter[field];
      if (value === undefined) continue;
      conditions.push(`${column} = ?`);
      parameters.push(value);
    }
    if (filter.from) {
      conditions.push('time_ms >= ?');
      parameters.push(filter.from.getTime());
    }
    if (filter.until) {
      conditions.push('time_ms < ?');
      parameters.push(filter.until.getTime());
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await withSqliteRetry(
      entriesFailure,
      this.retry,
      () =>
        this.database
          .prepare(`SELECT record FROM aiaas_ledger ${where} ORDER BY sequence`)
          .all(...parameters) as { record: string }[],
    );
    return rows
      .map((row) => ledgerEntryFromRecord(JSON.parse(row.record)))
      .filter((entry) => matchesLedgerFilter(entry, filter));
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && this.database.open) this.database.close();
  }
}
