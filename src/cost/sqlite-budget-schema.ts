import type { SqliteDatabase } from './sqlite-database.js';

/**
 * The lease a reservation made before leases existed gets, counted from when it was made: a
 * database left with open reservations by an older version frees them at the next reserve
 * (and records them as estimated spend) instead of blocking its budget for ever.
 */
export const LEGACY_LEASE_MS = 5 * 60_000;

const TABLES = `
CREATE TABLE IF NOT EXISTS aiaas_budget_charges (
  id TEXT PRIMARY KEY,
  currency TEXT NOT NULL,
  units TEXT NOT NULL,
  state TEXT NOT NULL,
  reserved_ms INTEGER NOT NULL,
  settled_ms INTEGER,
  owner TEXT NOT NULL DEFAULT '',
  expires_ms INTEGER NOT NULL DEFAULT 0,
  idempotency_key TEXT,
  model TEXT,
  provider TEXT,
  expiry_recorded_by TEXT,
  estimate_corrected INTEGER NOT NULL DEFAULT 0,
  reserved_units TEXT
);
CREATE TABLE IF NOT EXISTS aiaas_budget_charge_scopes (
  scope TEXT NOT NULL,
  charge_id TEXT NOT NULL REFERENCES aiaas_budget_charges (id),
  PRIMARY KEY (scope, charge_id)
);
`;

/** Columns added with leases, as `ALTER TABLE` adds them to a database made before. */
const LEASE_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['owner', "TEXT NOT NULL DEFAULT ''"],
  ['expires_ms', 'INTEGER NOT NULL DEFAULT 0'],
  ['idempotency_key', 'TEXT'],
  ['model', 'TEXT'],
  ['provider', 'TEXT'],
  ['expiry_recorded_by', 'TEXT'],
  ['estimate_corrected', 'INTEGER NOT NULL DEFAULT 0'],
  // What was reserved, kept once `units` holds what was spent (null in rows made before).
  ['reserved_units', 'TEXT'],
];

const INDEXES = `
CREATE INDEX IF NOT EXISTS aiaas_budget_charges_lease ON aiaas_budget_charges (state, expires_ms);
CREATE INDEX IF NOT EXISTS aiaas_budget_charges_idempotency_key ON aiaas_budget_charges (idempotency_key);
CREATE INDEX IF NOT EXISTS aiaas_budget_charges_unrecorded ON aiaas_budget_charges (state) WHERE expiry_recorded_by IS NULL;
`;

/**
 * Creates the budget tables, or brings a database made by an earlier version up to date: the
 * lease columns are added, and reservations still open get a lease of {@link LEGACY_LEASE_MS}
 * from when they were made. Runs in one immediate transaction, so processes opening one old
 * file at once migrate it once. Idempotent.
 *
 * @example
 * migrateBudgetSchema(database);
 */
export function migrateBudgetSchema(database: SqliteDatabase): void {
  const migrate = database.transaction(() => {
    database.exec(TABLES);
    const present = new Set(
      (database.prepare('PRAGMA table_info(aiaas_budget_charges)').all() as { name: string }[]).map(
        (column) => column.name,
      ),
    );
    for (const [name, definition] of LEASE_COLUMNS) {
      if (!present.has(name))
        database.exec(`ALTER TABLE aiaas_budget_charges ADD COLUMN ${name} ${definition}`);
    }
    if (!present.has('expires_ms')) {
      database
        .prepare('UPDATE aiaas_budget_charges SET expires_ms = reserved_ms + ? WHERE expires_ms = 0')
        .run(LEGACY_LEASE_MS);
    }
    if (!present.has('reserved_units')) {
      database.exec("UPDATE aiaas_budget_charges SET reserved_units = units WHERE state = 'reserved'");
    }
    database.exec(INDEXES);
  });
  migrate.immediate();
}
