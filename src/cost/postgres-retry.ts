import { setTimeout as sleep } from 'node:timers/promises';
import { AiaasError } from '../errors/index.js';
import { type ResolvedSqliteRetry, resolveSqliteRetry } from './sqlite-busy-retry.js';
import type { StoreFailure } from './store-failure.js';

/** How a PostgreSQL store retries an operation that lost a race with another transaction. */
export interface PostgresRetryOptions {
  /** Tries in all, the first included. Default 6. */
  attempts?: number;
  /** The wait before the second try; it doubles per try (with jitter). Default 10 ms. */
  initialDelayMs?: number;
  /** The longest wait between tries. Default 200 ms. */
  maxDelayMs?: number;
}

export type ResolvedPostgresRetry = ResolvedSqliteRetry;

/** Checks the options (a mistake fails at open, not at the first conflict). */
export function resolvePostgresRetry(options: PostgresRetryOptions = {}): ResolvedPostgresRetry {
  return resolveSqliteRetry(options);
}

// Each of these rolls the transaction back whole, so trying again is safe: serialization
// failure, deadlock, and a lock not granted within `lock_timeout`.
const CONFLICT_CODES: Readonly<Record<string, string>> = {
  '40001': 'it could not be serialized with concurrent transactions',
  '40P01': 'it deadlocked with another transaction',
  '55P03': 'another connection held the lock it needed',
};

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Runs one store operation (one transaction), retrying it with backoff while it loses races with
 * other transactions; any failure leaves as the store's typed error, never a raw driver error.
 * An `AiaasError` the step throws itself passes through. A lost connection is not retried: the
 * server rolls back what it had not committed, so the operation left nothing half done.
 *
 * @example
 * const rows = await withPostgresRetry(budgetStoreFailure('settle'), retry, () => pool.query(sql, values));
 */
export async function withPostgresRetry<Result>(
  failure: StoreFailure,
  retry: ResolvedPostgresRetry,
  step: () => Promise<Result>,
): Promise<Result> {
  let delay = retry.initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (AiaasError.isInstance(error)) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      const state = sqlState(error);
      const conflict = state === undefined ? undefined : CONFLICT_CODES[state];
      if (conflict === undefined) {
        const named = state === undefined ? detail : `${detail} (SQLSTATE ${state})`;
        throw failure.fail(`${failure.label} failed: ${named}.`, 'store_failed', error);
      }
      if (attempt >= retry.attempts) {
        throw failure.fail(
          `${failure.label} failed: ${conflict} through ${attempt} tries (${detail}, SQLSTATE ${state}). ` +
            `Nothing was changed by this ${failure.operation}; more \`retry.attempts\` or a longer \`lockTimeoutMs\` wait longer.`,
          'store_busy',
          error,
        );
      }
      // Jitter, so that transactions that collided once do not collide again in step.
      await sleep(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(retry.maxDelayMs, delay * 2);
    }
  }
}
