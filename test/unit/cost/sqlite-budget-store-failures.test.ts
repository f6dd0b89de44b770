import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import { BudgetStoreError } from '../../../src/cost/budget-store-error.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';
import { openSqliteDatabase } from '../../../src/cost/sqlite-database.js';
import { AiaasError } from '../../../src/errors/index.js';
import { manualClock } from '../../support/manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-sqlite-failures-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const busyOptions = { busyTimeoutMs: 0, retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 10 } };

describe('SqliteBudgetStore under a second connection holding the write lock', () => {
  it('a settle that stays busy fails typed, and the reservation it could not close lapses into an estimate', async () => {
    const path = join(directory, 'busy-settle.db');
    const time = manualClock(Date.now());
    const ledger = new Ledger();
    const store = await SqliteBudgetStore.open(path, busyOptions);
    const budget = new Budget({
      limits: [{ limit: usd('1') }],
      store,
      now: time.now,
      leaseMs: 1_000,
      ledger,
    });
    const reservation = await budget.reserve(usd('0.4'), ['tag:team=a'], { idempotencyKey: 'call-1' });

    const blocker = await openSqliteDatabase(path, { busyTimeoutMs: 0 });
    blocker.exec('BEGIN IMMEDIATE');
    const error = await budget.settle(reservation, usd('0.1')).catch((caught: unknown) => caught);
    blocker.exec('ROLLBACK');
    expect(error).toBeInstanceOf(BudgetStoreError);
    expect(AiaasError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'store_busy', operation: 'settle', retryable: true });
    expect((error as Error).message).toMatch(/locked by another connection through 3 tries/);
    expect(((error as Error).cause as { code?: string }).code).toBe('SQLITE_BUSY');

    // Still open in the store, but no longer renewed by its owner: its lease runs out...
    expect((await store.charges({ ids: [reservation.id] }))[0]?.state).toBe('reserved');
    time.advance(1_000);
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.toDecimalString()).toBe('0.4');
    // ... and it is recorded, once, as estimated spend at its full amount.
    const expiries = await budget.sweep();
    expect(expiries.map((expiry) => expiry.charge.id)).toEqual([reservation.id]);
    expect(await budget.sweep()).toEqual([]);
    const [estimate] = await ledger.entries();
    expect(estimate).toMatchObject({
      idempotencyKey: 'call-1',
      tags: { team: 'a', 'aiaas.entry': 'lease-expired' },
    });
    expect(estimate?.cost?.toDecimalString()).toBe('0.4');

    // Settling again once the lock is gone records the real cost and reverses the estimate.
    await budget.settle(reservation, usd('0.1'));
    expect((await ledger.total()).USD?.isZero()).toBe(true);
    expect((await budget.status())[0]?.spent.toDecimalString()).toBe('0.1');
    blocker.close();
    await budget.close();
  });

  it('retries a reserve while the lock is held and succeeds once it is released', async () => {
    const path = join(directory, 'busy-reserve.db');
    const store = await SqliteBudgetStore.open(path, {
      busyTimeoutMs: 0,
      retry: { attempts: 50, initialDelayMs: 5 },
    });
    const budget = new Budget({ limits: [{ limit: usd('1') }], store });
    const blocker = await openSqliteDatabase(path, { busyTimeoutMs: 0 });
    const count = () =>
      (blocker.prepare('SELECT COUNT(*) AS n FROM aiaas_budget_charges').get() as { n: number }).n;
    blocker.exec('BEGIN IMMEDIATE');
    // The first try runs before reserve returns its promise: it found the lock and wrote nothing.
    const pending = budget.reserve(usd('0.3'));
    expect(count()).toBe(0);
    blocker.exec('ROLLBACK');
    const reservation = await pending;
    expect(count()).toBe(1);
    expect((await budget.status())[0]?.reserved.toDecimalString()).toBe('0.3');
    await budget.release(reservation);
    blocker.close();
    await budget.close();
  });

  it('any other failure is a BudgetStoreError too, never a raw SqliteError or TypeError', async () => {
    const database = await openSqliteDatabase(join(directory, 'closed.db'));
    const store = await SqliteBudgetStore.open(database);
    database.close();
    const check = { limitId: 'g', scope: 'global', since: null, limit: usd('1'), hard: true };
    await expect(store.tally([check])).rejects.toMatchObject({
      name: 'BudgetStoreError',
      code: 'store_failed',
      operation: 'tally',
      retryable: false,
    });
    await expect(store.settle('x', usd('1'), new Date())).rejects.toBeInstanceOf(BudgetStoreError);
    await expect(SqliteBudgetStore.open(database)).rejects.toMatchObject({
      code: 'store_failed',
      operation: 'open',
    });
    await expect(SqliteBudgetStore.open(database, { retry: { attempts: 0 } })).rejects.toThrow(/attempts/);
  });
});

// The schema of the version before leases, as an existing database file has it.
const SCHEMA_BEFORE_LEASES = `
CREATE TABLE aiaas_budget_charges (
  id TEXT PRIMARY KEY, currency TEXT NOT NULL, units TEXT NOT NULL, state TEXT NOT NULL,
  reserved_ms INTEGER NOT NULL, settled_ms INTEGER
);
CREATE TABLE aiaas_budget_charge_scopes (
  scope TEXT NOT NULL, charge_id TEXT NOT NULL REFERENCES aiaas_budget_charges (id), PRIMARY KEY (scope, charge_id)
);`;

describe('SqliteBudgetStore on a database made before leases', () => {
  it('migrates it on open: reservations a crash left open three days ago stop blocking the budget', async () => {
    const path = join(directory, 'before-leases.db');
    const old = await openSqliteDatabase(path);
    old.exec(SCHEMA_BEFORE_LEASES);
    const now = Date.now();
    const day = 86_400_000;
    const insert = old.prepare(
      'INSERT INTO aiaas_budget_charges (id, currency, units, state, reserved_ms, settled_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const link = old.prepare(
      "INSERT INTO aiaas_budget_charge_scopes (scope, charge_id) VALUES ('global', ?)",
    );
    const units = (amount: string) => usd(amount).units.toString();
    for (const [id, amount, state, reservedMs, settledMs] of [
      ['stuck-1', '0.5', 'reserved', now - 3 * day, null],
      ['stuck-2', '0.3', 'reserved', now - 3 * day, null],
      ['done', '0.1', 'settled', now - 2 * day, now - 2 * day],
      ['recent', '0.05', 'reserved', now - 60_000, null],
    ] as const) {
      insert.run(id, 'USD', units(amount), state, reservedMs, settledMs);
      link.run(id);
    }
    old.close();

    // Two processes opening the old file at once: both work, the migration runs once.
    const [store, other] = await Promise.all([SqliteBudgetStore.open(path), SqliteBudgetStore.open(path)]);
    const ledger = new Ledger();
    const expired: string[] = [];
    const budget = new Budget({
      limits: [{ limit: usd('1'), window: 'day' }],
      store,
      ledger,
      onExpired: (expiry) => expired.push(expiry.charge.id),
    });
    // Before: 0.8 held for ever, so this was refused; now the stuck ones lapsed (as spend three days ago).
    const [before] = await budget.status();
    expect(before?.spent.isZero()).toBe(true);
    expect(before?.reserved.toDecimalString()).toBe('0.05');
    await budget.reserve(usd('0.9'));
    // That reserve saw expiries waiting and has them recorded; a sweep runs after it.
    await budget.sweep();
    expect(expired.sort()).toEqual(['stuck-1', 'stuck-2']);
    expect((await ledger.total()).USD?.toDecimalString()).toBe('0.8');
    expect((await ledger.entries()).map((entry) => entry.model)).toEqual(['unknown', 'unknown']);
    const [recent] = await other.charges({ ids: ['recent'] });
    expect(recent).toMatchObject({ state: 'reserved', owner: '', idempotencyKey: null });
    expect(recent?.expiresAt.getTime()).toBe(now - 60_000 + 5 * 60_000);
    expect(recent?.amount.toDecimalString()).toBe('0.05');
    await other.close();
    await budget.close();
    // Reopening a migrated file changes nothing.
    const reopened = new Budget({
      limits: [{ limit: usd('1'), window: 'day' }],
      store: await SqliteBudgetStore.open(path),
    });
    expect((await reopened.status())[0]?.reserved.toDecimalString()).toBe('0.95');
    await reopened.close();
  });
});
