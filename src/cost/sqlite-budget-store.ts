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
import { fitsWithin, orderChargeScopes } from './budget-store.js';
import { Money } from './money.js';
import { migrateBudgetSchema } from './sqlite-budget-schema.js';
import {
  type ResolvedSqliteRetry,
  resolveSqliteRetry,
  type SqliteRetryOptions,
  withSqliteRetry,
} from './sqlite-busy-retry.js';
import { type OpenSqliteOptions, openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';

export interface SqliteBudgetStoreOptions extends OpenSqliteOptions {
  /** How an operation that finds the database locked is retried before it fails with `BudgetStoreError`. */
  retry?: SqliteRetryOptions;
}

// Amounts are kept as decimal strings of 1e-12 units and summed as bigints: SQLite integers
// (64-bit) would overflow at about 9.2 million currency units. A `reserved` row whose lease has
// run out counts as spent at its expiry, exactly as once it is marked `expired`.
const TALLY = `
SELECT c.units AS units, c.state AS state, c.expires_ms AS expires_ms
FROM aiaas_budget_charge_scopes s JOIN aiaas_budget_charges c ON c.id = s.charge_id
WHERE s.scope = ? AND c.currency = ? AND (
  (c.state = 'reserved' AND (c.expires_ms > ? OR c.expires_ms >= ?))
  OR (c.state IN ('settled', 'expired') AND c.settled_ms >= ?))`;

const EXPIRE_LAPSED =
  "UPDATE aiaas_budget_charges SET state = 'expired', settled_ms = expires_ms WHERE state = 'reserved' AND expires_ms <= ?";

const UNRECORDED_EXPIRY =
  "SELECT 1 FROM aiaas_budget_charges WHERE state = 'expired' AND expiry_recorded_by IS NULL LIMIT 1";

const CHARGE_COLUMNS =
  'id, currency, units, reserved_units, state, reserved_ms, settled_ms, owner, expires_ms, idempotency_key, model, provider, expiry_recorded_by, estimate_corrected';

interface ChargeRow {
  id: string;
  currency: string;
  units: string;
  reserved_units: string | null;
  state: BudgetChargeState;
  reserved_ms: number;
  settled_ms: number | null;
  owner: string;
  expires_ms: number;
  idempotency_key: string | null;
  model: string | null;
  provider: string | null;
  expiry_recorded_by: string | null;
  estimate_corrected: number;
}

/**
 * Budget charges in SQLite (better-sqlite3, WAL): processes on one host share one budget. Each
 * reservation runs in an IMMEDIATE transaction, which takes the database's write lock before
 * tallying (and before expiring lapsed leases), so two processes can never both take the last
 * of a budget. An operation that finds the database locked by another connection is retried
 * with backoff, then fails with a `BudgetStoreError` (`store_busy`), never a raw `SqliteError`.
 *
 * A database made by an earlier version (without leases) is migrated when opened.
 *
 * @example
 * const budget = new Budget({ limits, store: await SqliteBudgetStore.open('./spend.db') });
 */
export class SqliteBudgetStore implements BudgetStore {
  // A class that refers to itself is renamed by the bundler (`_SqliteBudgetStore`); its name is part of the API.
  static {
    Object.defineProperty(SqliteBudgetStore, 'name', { value: 'SqliteBudgetStore' });
  }

  private readonly reserveAtomically: (
    charge: BudgetCharge,
    checks: readonly BudgetCheck[],
    now: number,
  ) => BudgetReserveResult;
  private readonly claimAtomically: (claimant: string, now: number) => ChargeRow[];

  private constructor(
    private readonly database: SqliteDatabase,
    private readonly ownsDatabase: boolean,
    private readonly retry: ResolvedSqliteRetry,
  ) {
    const reserve = database.transaction(
      (charge: BudgetCharge, checks: readonly BudgetCheck[], now: number): BudgetReserveResult => {
        database.prepare(EXPIRE_LAPSED).run(now);
        const tallies = checks.map((check) => this.tallyOne(check, charge.amount.currency, now));
        const accepted = checks.every(
          (check, index) => !check.hard || fitsWithin(check, tallies[index] as BudgetTally, charge.amount),
        );
        if (accepted) this.insert(charge);
        const expiriesWaiting = database.prepare(UNRECORDED_EXPIRY).get() !== undefined;
        return { accepted, tallies, expiriesWaiting };
      },
    );
    this.reserveAtomically = (charge, checks, now) => reserve.immediate(charge, checks, now);
    const claim = database.transaction((claimant: string, now: number): ChargeRow[] => {
      database.prepare(EXPIRE_LAPSED).run(now);
      return database
        .prepare(
          `UPDATE aiaas_budget_charges SET expiry_recorded_by = ?
           WHERE state = 'expired' AND expiry_recorded_by IS NULL RETURNING ${CHARGE_COLUMNS}`,
        )
        .all(claimant) as ChargeRow[];
    });
    this.claimAtomically = (claimant, now) => claim.immediate(claimant, now);
  }

  /**
   * Opens a database file, or uses an open one (shared with a ledger store; then `close` leaves
   * it open), creating or migrating the budget tables.
   */
  static async open(
    pathOrDatabase: string | SqliteDatabase,
    options: SqliteBudgetStoreOptions = {},
  ): Promise<SqliteBudgetStore> {
    const retry = resolveSqliteRetry(options.retry);
    const owns = typeof pathOrDatabase === 'string';
    const database = owns ? await openSqliteDatabase(pathOrDatabase, options) : pathOrDatabase;
    try {
      await withSqliteRetry('open', retry, () => migrateBudgetSchema(database));
    } catch (error) {
      if (owns) database.close();
      throw error;
    }
    return new SqliteBudgetStore(database, owns, retry);
  }

  async reserve(
    charge: BudgetCharge,
    checks: readonly BudgetCheck[],
    now: Date = new Date(),
  ): Promise<BudgetReserveResult> {
    return withSqliteRetry('reserve', this.retry, () =>
      this.reserveAtomically(charge, checks, now.getTime()),
    );
  }

  async settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome> {
    const row = await withSqliteRetry(
      'settle',
      this.retry,
      () =>
        this.database
          .prepare(
            `UPDATE aiaas_budget_charges SET state = 'settled', units = ?, settled_ms = ?
             WHERE id = ? AND state IN ('reserved', 'expired') RETURNING expiry_recorded_by`,
          )
          .get(actual.units.toString(), time.getTime(), id) as
          | { expiry_recorded_by: string | null }
          | undefined,
    );
    if (row !== undefined) return row.expiry_recorded_by === null ? 'settled' : 'settled-after-expiry';
    return (await this.exists(id, 'settle')) ? 'closed' : 'unknown';
  }

  async release(id: string): Promise<BudgetReleaseOutcome> {
    const row = await withSqliteRetry(
      'release',
      this.retry,
      () =>
        this.database
          .prepare(
            `UPDATE aiaas_budget_charges SET state = 'released', units = '0'
             WHERE id = ? AND state IN ('reserved', 'expired') RETURNING expiry_recorded_by`,
          )
          .get(id) as { expiry_recorded_by: string | null } | undefined,
    );
    if (row !== undefined) return row.expiry_recorded_by === null ? 'released' : 'released-after-expiry';
    return (await this.exists(id, 'release')) ? 'closed' : 'unknown';
  }

  async tally(checks: readonly BudgetCheck[], now: Date = new Date()): Promise<BudgetTally[]> {
    return withSqliteRetry('tally', this.retry, () =>
      checks.map((check) => this.tallyOne(check, check.limit.currency, now.getTime())),
    );
  }

  async renew(owner: string, ids: readonly string[], expiresAt: Date, now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await withSqliteRetry(
      'renew',
      this.retry,
      () =>
        this.database
          .prepare(
            `UPDATE aiaas_budget_charges SET expires_ms = MAX(expires_ms, ?)
             WHERE id IN (SELECT value FROM json_each(?)) AND owner = ? AND state = 'reserved' AND expires_ms > ?
             RETURNING id`,
          )
          .all(expiresAt.getTime(), JSON.stringify(ids), owner, now.getTime()) as { id: string }[],
    );
    return rows.map((row) => row.id);
  }

  async claimExpired(claimant: string, now: Date): Promise<StoredBudgetCharge[]> {
    const rows = await withSqliteRetry('claim-expired', this.retry, () =>
      this.claimAtomically(claimant, now.getTime()),
    );
    return this.withScopes(rows);
  }

  async claimCorrection(id: string): Promise<boolean> {
    const changes = await withSqliteRetry(
      'claim-correction',
      this.retry,
      () =>
        this.database
          .prepare(
            `UPDATE aiaas_budget_charges SET estimate_corrected = 1
             WHERE id = ? AND expiry_recorded_by IS NOT NULL AND estimate_corrected = 0`,
          )
          .run(id).changes,
    );
    return changes === 1;
  }

  async charges(filter: BudgetChargeFilter): Promise<StoredBudgetCharge[]> {
    const ids = filter.ids ?? [];
    const keys = filter.idempotencyKeys ?? [];
    if (ids.length === 0 && keys.length === 0) return [];
    const rows = await withSqliteRetry(
      'charges',
      this.retry,
      () =>
        this.database
          .prepare(
            `SELECT ${CHARGE_COLUMNS} FROM aiaas_budget_charges
             WHERE id IN (SELECT value FROM json_each(?)) OR idempotency_key IN (SELECT value FROM json_each(?))
             ORDER BY reserved_ms, id`,
          )
          .all(JSON.stringify(ids), JSON.stringify(keys)) as ChargeRow[],
    );
    return this.withScopes(rows);
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && this.database.open) this.database.close();
  }

  private insert(charge: BudgetCharge): void {
    this.database
      .prepare(
        `INSERT INTO aiaas_budget_charges
         (id, currency, units, reserved_units, state, reserved_ms, owner, expires_ms, idempotency_key, model, provider)
         VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        charge.id,
        charge.amount.currency,
        charge.amount.units.toString(),
        charge.amount.units.toString(),
        charge.time.getTime(),
        charge.owner,
        charge.expiresAt.getTime(),
        charge.idempotencyKey,
        charge.model,
        charge.provider,
      );
    const link = this.database.prepare(
      'INSERT OR IGNORE INTO aiaas_budget_charge_scopes (scope, charge_id) VALUES (?, ?)',
    );
    for (const scope of charge.scopes) link.run(scope, charge.id);
  }

  private async exists(id: string, operation: 'settle' | 'release'): Promise<boolean> {
    return withSqliteRetry(
      operation,
      this.retry,
      () => this.database.prepare('SELECT 1 FROM aiaas_budget_charges WHERE id = ?').get(id) !== undefined,
    );
  }

  private async withScopes(rows: readonly ChargeRow[]): Promise<StoredBudgetCharge[]> {
    if (rows.length === 0) return [];
    const links = await withSqliteRetry(
      'charges',
      this.retry,
      () =>
        this.database
          .prepare(
            'SELECT charge_id, scope FROM aiaas_budget_charge_scopes WHERE charge_id IN (SELECT value FROM json_each(?))',
          )
          .all(JSON.stringify(rows.map((row) => row.id))) as { charge_id: string; scope: string }[],
    );
    const scopes = new Map<string, string[]>();
    for (const link of links) {
      const list = scopes.get(link.charge_id) ?? [];
      list.push(link.scope);
      scopes.set(link.charge_id, list);
    }
    return rows.map((row) => toStoredCharge(row, scopes.get(row.id) ?? ['global']));
  }

  private tallyOne(check: BudgetCheck, currency: string, now: number): BudgetTally {
    const since = check.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
    // A window start that is not a number (an invalid Date) holds no spend.
    const from = Number.isNaN(since) ? Number.MAX_SAFE_INTEGER : since;
    const rows = this.database.prepare(TALLY).all(check.scope, currency, now, from, from) as {
      units: string;
      state: BudgetChargeState;
      expires_ms: number;
    }[];
    let spent = 0n;
    let reserved = 0n;
    for (const row of rows) {
      if (row.state === 'reserved' && row.expires_ms > now) reserved += BigInt(row.units);
      else spent += BigInt(row.units);
    }
    return {
      limitId: check.limitId,
      spent: Money.fromUnits(spent, currency),
      reserved: Money.fromUnits(reserved, currency),
    };
  }
}

function toStoredCharge(row: ChargeRow, scopes: readonly string[]): StoredBudgetCharge {
  const spent =
    row.state === 'settled' || row.state === 'expired'
      ? Money.fromUnits(BigInt(row.units), row.currency)
      : null;
  return Object.freeze({
    id: row.id,
    scopes: Object.freeze(orderChargeScopes(scopes)),
    // Rows made before leases lost what they reserved once closed: `units` is the best left.
    amount: Money.fromUnits(BigInt(row.reserved_units ?? row.units), row.currency),
    time: new Date(row.reserved_ms),
    owner: row.owner,
    expiresAt: new Date(row.expires_ms),
    idempotencyKey: row.idempotency_key,
    model: row.model,
    provider: row.provider,
    state: row.state,
    spent,
    expiryRecordedBy: row.expiry_recorded_by,
    estimateCorrected: row.estimate_corrected === 1,
  });
}
