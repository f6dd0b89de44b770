import { setTimeout as sleep } from 'node:timers/promises';
import { AiaasError } from '../errors/index.js';
import type { BudgetStoreOperation } from './budget-store-error.js';
import { budgetStoreFailure, type StoreFailure } from './store-failure.js';

export { budgetStoreFailure, ledgerStoreFailure } from './store-failure.js';

/** How a SQLite store retries an operation that found the database locked by another connection. */
export interface SqliteRetryOptions {
  /** Tries in all, the first included. Default 6. */
  attempts?: number;
  /** The wait before the second try; it doubles per try (with jitter). Default 10 ms. */
  initialDelayMs?: number;
  /** The longest wait between tries. Default 200 ms. */
  maxDelayMs?: number;
}

export type ResolvedSqliteRetry = Required<SqliteRetryOptions>;

// SQLITE_BUSY: another connection holds the write lock (after `busy_timeout`); SQLITE_LOCKED: a
// conflict inside one connection or shared cache. Both pass once the other side is done.
const BUSY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_LOCKED_SHAREDCACHE',
  'SQLITE_LOCKED_VTAB',
]);

/** Checks the options (a mistake fails at open, not at the first busy database). */
export function resolveSqliteRetry(options: SqliteRetryOptions = {}): ResolvedSqliteRetry {
  const resolved = { attempts: 6, initialDelayMs: 10, maxDelayMs: 200, ...definedOnly(options) };
  if (!Number.isSafeInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new RangeError(`retry.attempts must be a whole number >= 1, got ${resolved.attempts}.`);
  }
  for (const name of ['initialDelayMs', 'maxDelayMs'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${name} must be a number of milliseconds >= 0, got ${value}.`);
    }
  }
  return resolved;
}

function definedOnly(options: SqliteRetryOptions): SqliteRetryOptions {
  const result: SqliteRetryOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) result[key as keyof SqliteRetryOptions] = value as number;
  }
  return result;
}

/** True for an error that says the database is locked by someone else (worth another try). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY_CODES.has(code);
}

/**
 * Runs one synchronous better-sqlite3 step, retrying it with backoff while the database is
 * locked; any failure leaves as the store's typed error (a `BudgetStoreError` for a budget
 * operation name), never a raw `SqliteError`. An `AiaasError` the step throws itself passes
 * through. The step must be safe to repeat: a transaction that failed was rolled back, so it is.
 *
 * @example
 * const outcome = await withSqliteRetry('settle', retry, () => statement.run(units, time, id));
 * await withSqliteRetry(ledgerStoreFailure('append'), retry, () => insert.run(...values));
 */
export async function withSqliteRetry<Result>(
  operation: BudgetStoreOperation | StoreFailure,
  retry: ResolvedSqliteRetry,
  step: () => Result,
): Promise<Result> {
  const failure = typeof operation === 'string' ? budgetStoreFailure(operation) : operation;
  let delay = retry.initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return step();
    } catch (error) {
      if (AiaasError.isInstance(error)) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      if (!isSqliteBusy(error)) {
        throw failure.fail(`${failure.label} failed: ${detail}.`, 'store_failed', error);
      }
      if (attempt >= retry.attempts) {
        throw failure.fail(
          `${failure.label} failed: the SQLite database stayed locked by another connection ` +
            `through ${attempt} tries (${detail}). Nothing was changed by this ${failure.operation}; a longer ` +
            '`busyTimeoutMs` or more `retry.attempts` wait longer.',
          'store_busy',
          error,
        );
      }
      // Jitter, so that processes that collided once do not collide again in step.
      await sleep(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(retry.maxDelayMs, delay * 2);
    }
  }
}
