import { setTimeout as sleep } from 'node:timers/promises';
import { AiaasError } from '../errors/index.js';
import { isSqliteBusy } from './sqlite-busy-retry.js';

/** The part of a better-sqlite3 statement the SQLite stores use. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  all(...parameters: unknown[]): unknown[];
  get(...parameters: unknown[]): unknown;
}

/** A better-sqlite3 transaction function; `immediate` takes the write lock before the first read. */
export interface SqliteTransaction<Arguments extends unknown[], Result> {
  (...parameters: Arguments): Result;
  immediate(...parameters: Arguments): Result;
}

/**
 * The part of a better-sqlite3 `Database` the SQLite stores use, declared here so that aiaas's
 * types do not depend on the optional `better-sqlite3` package.
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<Arguments extends unknown[], Result>(
    body: (...parameters: Arguments) => Result,
  ): SqliteTransaction<Arguments, Result>;
  close(): unknown;
  readonly open: boolean;
}

export interface OpenSqliteOptions {
  /** How long a connection waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

/**
 * Opens (creating if needed) a SQLite database for the ledger and budget stores: WAL mode so
 * readers never block the writer, a busy timeout so processes on one host take turns, and
 * `synchronous = FULL` so a committed charge survives a power loss. `better-sqlite3` is loaded
 * only here, on first use, since it is an optional peer dependency.
 *
 * @example
 * const database = await openSqliteDatabase('./spend.db');
 * const ledger = new Ledger({ store: await SqliteLedgerStore.open(database) });
 * const budget = new Budget({ limits, store: await SqliteBudgetStore.open(database) });
 */
export async function openSqliteDatabase(
  path: string,
  options: OpenSqliteOptions = {},
): Promise<SqliteDatabase> {
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
  const Database = await loadBetterSqlite();
  const database = new Database(path);
  try {
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    await switchToWal(database, busyTimeoutMs);
    database.pragma('synchronous = FULL');
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

// SQLite tries once, without the busy handler, for the lock that switching a file to WAL takes,
// so two processes opening a new file together would see SQLITE_BUSY; this waits its turn.
async function switchToWal(database: SqliteDatabase, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  let delayMs = 2;
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() + delayMs > deadline) throw error;
      await sleep(delayMs / 2 + Math.random() * (delayMs / 2));
      delayMs = Math.min(100, delayMs * 2);
    }
  }
}

let loaded: Promise<DatabaseConstructor> | undefined;

function loadBetterSqlite(): Promise<DatabaseConstructor> {
  loaded ??= import('better-sqlite3').then(
    (module) => ((module as { default?: unknown }).default ?? module) as DatabaseConstructor,
    (error: unknown) => {
      loaded = undefined;
      const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
      throw new AiaasError(
        missing
          ? 'The SQLite stores need the optional peer dependency better-sqlite3: run `npm install better-sqlite3`.'
          : `better-sqlite3 is installed but could not be loaded (${(error as Error).message}); reinstall it for this Node version.`,
        { cause: error, code: 'sqlite_unavailable' },
      );
    },
  );
  return loaded;
}
