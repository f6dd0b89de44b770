import type {
  BudgetCharge,
  BudgetChargeFilter,
  BudgetChargeState,
  BudgetCheck,
  BudgetReleaseOutcome,
  BudgetReserveResult,
  BudgetSettleOutcome,
  BudgetStore,
  BudgetTally,
  StoredBudgetCharge,
} from './budget-store.js';
import { orderChargeScopes } from './budget-store.js';
import type { BudgetStoreOperation } from './budget-store-error.js';
import { Money } from './money.js';
import { budgetMigrations } from './postgres-budget-schema.js';
import {
  type PostgresNames,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresStatement,
} from './postgres-connection.js';
import { type OpenedPostgresStore, openPostgresStore } from './postgres-migrations.js';
import {
  type PostgresRetryOptions,
  type ResolvedPostgresRetry,
  withPostgresRetry,
} from './postgres-retry.js';
import { budgetStoreFailure } from './store-failure.js';

export interface PostgresBudgetStoreOptions extends PostgresStoreOptions {
  /** How an operation that loses a race with another transaction is retried before it fails with `BudgetStoreError`. */
  retry?: PostgresRetryOptions;
}

interface ChargeRow {
  id: string;
  scopes: string[];
  currency: string;
  amount: string;
  state: BudgetChargeState;
  spent: string | null;
  reserved_ms: string;
  owner: string;
  expires_ms: string;
  idempotency_key: string | null;
  model: string | null;
  provider: string | null;
  expiry_recorded_by: string | null;
  estimate_corrected: boolean;
}

// numeric and bigint leave as text: pg would read a numeric[] as JavaScript numbers.
const CHARGE_COLUMNS =
  'id, scopes, currency, amount::text AS amount, state, spent::text AS spent, reserved_ms::text AS reserved_ms, owner, expires_ms::text AS expires_ms, idempotency_key, model, provider, expiry_recorded_by, estimate_corrected';

/** A window start that is not a number (an invalid Date) holds no spend. */
const NO_SPEND_SINCE = Number.MAX_SAFE_INTEGER;

/**
 * Budget charges in PostgreSQL: processes on any number of machines share one budget. Each
 * reserve is one call of a function in the database, so one transaction that expires lapsed
 * leases, records the charge, adds it to the running totals of its scopes (which locks them) and
 * keeps it only if each hard check fits — two machines can never both take the last of a budget. Settle, release and
 * claiming expiries are single transactions too; a connection lost mid-way leaves nothing half
 * done. Serialization failures, deadlocks and lock timeouts are retried with backoff, then fail
 * with a `BudgetStoreError` (`store_busy`); anything else is a `BudgetStoreError` too
 * (`store_failed`), never a raw driver error.
 *
 * The tables are created (or migrated) when the store opens. `pg` is an optional peer dependency.
 *
 * @example
 * const store = await PostgresBudgetStore.open(process.env.DATABASE_URL, { tablePrefix: 'billing_' });
 * const budget = new Budget({ limits, store, ledger });
 * // or share your own pool: PostgresBudgetStore.open(new pg.Pool({ connectionString })) — close() leaves it open.
 */
export class PostgresBudgetStore implements BudgetStore {
  // A class that refers to itself is renamed by the bundler (`_PostgresBudgetStore`); its name is part of the API.
  static {
    Object.defineProperty(PostgresBudgetStore, 'name', { value: 'PostgresBudgetStore' });
  }

  private closed = false;

  private readonly pool: PostgresPool;
  private readonly ownsPool: boolean;
  private readonly names: PostgresNames;
  private readonly retry: ResolvedPostgresRetry;
  private readonly prepared: boolean;

  private constructor(opened: OpenedPostgresStore) {
    ({
      pool: this.pool,
      ownsPool: this.ownsPool,
      names: this.names,
      retry: this.retry,
      prepared: this.prepared,
    } = opened);
  }

  /** Opens a pool on a connection string (closed by `close`), or uses yours, and migrates the tables. */
  static async open(
    connection: string | PostgresPool,
    options: PostgresBudgetStoreOptions = {},
  ): Promise<PostgresBudgetStore> {
    const opened = await openPostgresStore(
      connection,
      options,
      budgetStoreFailure('open'),
      'budget',
      budgetMigrations,
    );
    return new PostgresBudgetStore(opened);
  }

  async reserve(
    charge: BudgetCharge,
    checks: readonly BudgetCheck[],
    now: Date = new Date(),
  ): Promise<BudgetReserveResult> {
    const currency = charge.amount.currency;
    // [accepted, expiries waiting, then spent and reserved per check], as text.
    const [row] = await this.query<{ answer: string[] }>(
      'reserve',
      `SELECT ${this.names.qualify('budget_reserve_flat')}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) AS answer`,
      [
        charge.id,
        charge.scopes,
        currency,
        charge.amount.units.toString(),
        charge.time.getTime(),
        charge.owner,
        charge.expiresAt.getTime(),
        charge.idempotencyKey,
        charge.model,
        charge.provider,
        now.getTime(),
        checks.map((check) => check.scope),
        checks.map((check) => sinceOf(check)),
        checks.map((check) => check.limit.units.toString()),
        checks.map((check) => check.hard),
      ],
    );
    const answer = (row as { answer: string[] }).answer;
    const tallies = checks.map((check, index) => ({
      limitId: check.limitId,
      spent: Money.fromUnits(BigInt(answer[2 + 2 * index] as string), currency),
      reserved: Money.fromUnits(BigInt(answer[3 + 2 * index] as string), currency),
    }));
    return { accepted: answer[0] === 'true', tallies, expiriesWaiting: answer[1] === 'true' };
  }

  async settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome> {
    const [row] = await this.query<{ outcome: BudgetSettleOutcome }>(
      'settle',
      `SELECT ${this.names.qualify('budget_close')}($1, 'settled', $2, $3) AS outcome`,
      [id, actual.units.toString(), time.getTime()],
    );
    return (row as { outcome: BudgetSettleOutcome }).outcome;
  }

  async release(id: string): Promise<BudgetReleaseOutcome> {
    const [row] = await this.query<{ outcome: BudgetReleaseOutcome }>(
      'release',
      `SELECT ${this.names.qualify('budget_close')}($1, 'released', NULL, NULL) AS outcome`,
      [id],
    );
    return (row as { outcome: BudgetReleaseOutcome }).outcome;
  }

  async tally(checks: readonly BudgetCheck[], now: Date = new Date()): Promise<BudgetTally[]> {
    if (checks.length === 0) return [];
    // One statement: every check is read from one snapshot.
    const rows = await this.query<{ spent: string; reserved: string }>(
      'tally',
      `SELECT t.spent::text AS spent, t.reserved::text AS reserved
       FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS c(scope, currency, since_ms, position)
       CROSS JOIN LATERAL ${this.names.qualify('budget_tally')}(c.scope, c.currency, c.since_ms, $4) AS t
       ORDER BY c.position`,
      [
        checks.map((check) => check.scope),
        checks.map((check) => check.limit.currency),
        checks.map((check) => sinceOf(check)),
        now.getTime(),
      ],
    );
    return checks.map((check, index) => {
      const row = rows[index] as { spent: string; reserved: string };
      const currency = check.limit.currency;
      return {
        limitId: check.limitId,
        spent: Money.fromUnits(BigInt(row.spent), currency),
        reserved: Money.fromUnits(BigInt(row.reserved), currency),
      };
    });
  }

  async renew(owner: string, ids: readonly string[], expiresAt: Date, now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<{ id: string }>(
      'renew',
      `UPDATE ${this.names.qualify('budget_charges')} SET expires_ms = greatest(expires_ms, $1)
       WHERE id = ANY($2::text[]) AND owner = $3 AND state = 'reserved' AND expires_ms > $4 RETURNING id`,
      [expiresAt.getTime(), ids, owner, now.getTime()],
    );
    return rows.map((row) => row.id);
  }

  async claimExpired(claimant: string, now: Date): Promise<StoredBudgetCharge[]> {
    const rows = await this.query<ChargeRow>(
      'claim-expired',
      `SELECT ${CHARGE_COLUMNS} FROM ${this.names.qualify('budget_claim_expired')}($1, $2)`,
      [claimant, now.getTime()],
    );
    return rows.map(toStoredCharge);
  }

  async claimCorrection(id: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      'claim-correction',
      `UPDATE ${this.names.qualify('budget_charges')} SET estimate_corrected = true
       WHERE id = $1 AND expiry_recorded_by IS NOT NULL AND NOT estimate_corrected RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  async charges(filter: BudgetChargeFilter): Promise<StoredBudgetCharge[]> {
    const ids = filter.ids ?? [];
    const keys = filter.idempotencyKeys ?? [];
    if (ids.length === 0 && keys.length === 0) return [];
    // Ids in code-point order ("C"), as the memory and SQLite stores compare them.
    const rows = await this.query<ChargeRow>(
      'charges',
      `SELECT ${CHARGE_COLUMNS} FROM ${this.names.qualify('budget_charges')}
       WHERE id = ANY($1::text[]) OR idempotency_key = ANY($2::text[])
       ORDER BY reserved_ms, id COLLATE "C"`,
      [ids, keys],
    );
    return rows.map(toStoredCharge);
  }

  async close(): Promise<void> {
    if (!this.ownsPool || this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query<Row>(operation: BudgetStoreOperation, sql: string, values: unknown[]): Promise<Row[]> {
    const result = await withPostgresRetry(budgetStoreFailure(operation), this.retry, () =>
      this.pool.query(postgresStatement(this.prepared, sql, values)),
    );
    return result.rows as Row[];
  }
}

function sinceOf(check: BudgetCheck): number | null {
  if (check.since === null || check.since === undefined) return null;
  const since = check.since.getTime();
  return Number.isNaN(since) ? NO_SPEND_SINCE : since;
}

function toStoredCharge(row: ChargeRow): StoredBudgetCharge {
  const spent =
    (row.state === 'settled' || row.state === 'expired') && row.spent !== null
      ? Money.fromUnits(BigInt(row.spent), row.currency)
      : null;
  return Object.freeze({
    id: row.id,
    scopes: Object.freeze(orderChargeScopes(row.scopes)),
    amount: Money.fromUnits(BigInt(row.amount), row.currency),
    time: new Date(Number(row.reserved_ms)),
    owner: row.owner,
    expiresAt: new Date(Number(row.expires_ms)),
    idempotencyKey: row.idempotency_key,
    model: row.model,
    provider: row.provider,
    state: row.state,
    spent,
    expiryRecordedBy: row.expiry_recorded_by,
    estimateCorrected: row.estimate_corrected,
  });
}
