import type {
  BudgetCharge,
  BudgetCheck,
  BudgetReleaseOutcome,
  BudgetReserveResult,
  BudgetSettleOutcome,
  BudgetStore,
  BudgetTally,
} from './budget-store.js';
import { fitsWithin } from './budget-store.js';
import { Money } from './money.js';
import { type OpenSqliteOptions, openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS aiaas_budget_charges (
  id TEXT PRIMARY KEY,
  currency TEXT NOT NULL,
  units TEXT NOT NULL,
  state TEXT NOT NULL,
  reserved_ms INTEGER NOT NULL,
  settled_ms INTEGER
);
CREATE TABLE IF NOT EXISTS aiaas_budget_charge_scopes (
  scope TEXT NOT NULL,
  charge_id TEXT NOT NULL REFERENCES aiaas_budget_charges (id),
  PRIMARY KEY (scope, charge_id)
);
`;

// Amounts are kept as decimal strings of 1e-12 units and summed as bigints: SQLite integers
// (64-bit) would overflow at about 9.2 million currency units.
const TALLY = `
SELECT c.units AS units, c.state AS state
FROM aiaas_budget_charge_scopes s JOIN aiaas_budget_charges c ON c.id = s.charge_id
WHERE s.scope = ? AND c.currency = ? AND (c.state = 'reserved' OR (c.state = 'settled' AND c.settled_ms >= ?))`;

/**
 * Budget charges in SQLite (better-sqlite3, WAL): processes on one host share one budget. Each
 * reservation runs in an IMMEDIATE transaction, which takes the database's write lock before
 * tallying, so two processes can never both take the last of a budget.
 *
 * @example
 * const budget = new Budget({ limits, store: await SqliteBudgetStore.open('./spend.db') });
 */
export class SqliteBudgetStore implements BudgetStore {
  private readonly reserveAtomically: (
    charge: BudgetCharge,
    checks: readonly BudgetCheck[],
  ) => BudgetReserveResult;

  private constructor(
    private readonly database: SqliteDatabase,
    private readonly ownsDatabase: boolean,
  ) {
    database.exec(SCHEMA);
    const transaction = database.transaction((charge: BudgetCharge, checks: readonly BudgetCheck[]) => {
      const tallies = checks.map((check) => this.tallyOne(check, charge.amount.currency));
      const accepted = checks.every(
        (check, index) => !check.hard || fitsWithin(check, tallies[index] as BudgetTally, charge.amount),
      );
      if (accepted) {
        database
          .prepare(
            'INSERT INTO aiaas_budget_charges (id, currency, units, state, reserved_ms) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            charge.id,
            charge.amount.currency,
            charge.amount.units.toString(),
            'reserved',
            charge.time.getTime(),
          );
        const link = database.prepare(
          'INSERT INTO aiaas_budget_charge_scopes (scope, charge_id) VALUES (?, ?)',
        );
        for (const scope of charge.scopes) link.run(scope, charge.id);
      }
      return { accepted, tallies };
    });
    this.reserveAtomically = (charge, checks) => transaction.immediate(charge, checks);
  }

  /** Opens a database file, or uses an open one (shared with a ledger store; then `close` leaves it open). */
  static async open(
    pathOrDatabase: string | SqliteDatabase,
    options: OpenSqliteOptions = {},
  ): Promise<SqliteBudgetStore> {
    if (typeof pathOrDatabase !== 'string') return new SqliteBudgetStore(pathOrDatabase, false);
    return new SqliteBudgetStore(await openSqliteDatabase(pathOrDatabase, options), true);
  }

  async reserve(charge: BudgetCharge, checks: readonly BudgetCheck[]): Promise<BudgetReserveResult> {
    return this.reserveAtomically(charge, checks);
  }

  async settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome> {
    const changed = this.database
      .prepare(
        "UPDATE aiaas_budget_charges SET state = 'settled', units = ?, settled_ms = ? WHERE id = ? AND state = 'reserved'",
      )
      .run(actual.units.toString(), time.getTime(), id).changes;
    return changed === 1 ? 'settled' : this.exists(id) ? 'closed' : 'unknown';
  }

  async release(id: string): Promise<BudgetReleaseOutcome> {
    const changed = this.database
      .prepare(
        "UPDATE aiaas_budget_charges SET state = 'released', units = '0' WHERE id = ? AND state = 'reserved'",
      )
      .run(id).changes;
    return changed === 1 ? 'released' : this.exists(id) ? 'closed' : 'unknown';
  }

  async tally(checks: readonly BudgetCheck[]): Promise<BudgetTally[]> {
    return checks.map((check) => this.tallyOne(check, check.limit.currency));
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && this.database.open) this.database.close();
  }

  private exists(id: string): boolean {
    return this.database.prepare('SELECT 1 FROM aiaas_budget_charges WHERE id = ?').get(id) !== undefined;
  }

  private tallyOne(check: BudgetCheck, currency: string): BudgetTally {
    const since = check.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const rows = this.database.prepare(TALLY).all(check.scope, currency, since) as {
      units: string;
      state: string;
    }[];
    let spent = 0n;
    let reserved = 0n;
    for (const row of rows) {
      if (row.state === 'reserved') reserved += BigInt(row.units);
      else spent += BigInt(row.units);
    }
    return {
      limitId: check.limitId,
      spent: Money.fromUnits(spent, currency),
      reserved: Money.fromUnits(reserved, currency),
    };
  }
}
