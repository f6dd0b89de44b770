import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { Money } from '../../../src/cost/money.js';
import { budgetMigrations } from '../../../src/cost/postgres-budget-schema.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { postgresNames } from '../../../src/cost/postgres-connection.js';
import { applyPostgresMigrations } from '../../../src/cost/postgres-migrations.js';
import { postgresUrl, usePostgresSchemas } from '../../support/postgres-schemas.js';

// Schema version 3 of the budget store: running totals per scope, and the upgrade from version 2.

const schemas = usePostgresSchemas();
const database = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
afterAll(() => database.end());

describe('PostgresBudgetStore schema version 3', () => {
  it('upgrades a version 2 database in place: every tally is what it was, and the charges go on', async () => {
    const schema = schemas.fresh();
    const names = postgresNames({ schema });
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
    await applyPostgresMigrations(pool, names, 'budget', budgetMigrations(names).slice(0, 2));
    // What a version 2 store wrote, through its own functions: settled charges on two days and in
    // two scopes, a released one, one refused, open ones, and one whose lease ran out (swept).
    const hour = 3_600_000;
    const now = Date.UTC(2026, 11, 7, 12);
    const units = (usd: string) => Money.of(usd, 'USD').units.toString();
    const reserve = (id: string, scopes: string[], usd: string, at: number, leaseMs = hour) =>
      pool.query(
        `SELECT accepted FROM ${names.qualify('budget_reserve')}($1, $2, 'USD', $3, $4, 'old', $5, NULL, NULL, NULL, $4,
           ARRAY['global'], ARRAY[NULL::bigint], ARRAY[${units('100')}], ARRAY[true])`,
        [id, scopes, units(usd), at, at + leaseMs],
      );
    const close = (id: string, usd: string | null, at: number | null) =>
      pool.query(`SELECT ${names.qualify('budget_close')}($1, $2, $3, $4)`, [
        id,
        usd === null ? 'released' : 'settled',
        usd === null ? null : units(usd),
        at,
      ]);
    await reserve('yesterday', ['global', 'tag:team=a'], '2', now - 26 * hour);
    await close('yesterday', '1.5', now - 25 * hour);
    await reserve('today', ['global', 'key:k1'], '1', now - 2 * hour);
    await close('today', '0.75', now - hour);
    await reserve('released', ['global'], '3', now - 2 * hour);
    await close('released', null, null);
    await reserve('lapsed', ['global', 'tag:team=a'], '0.5', now - 3 * hour, hour);
    await reserve('open', ['global', 'tag:team=a'], '0.25', now - 30 * 60_000);
    expect((await reserve('refused', ['global'], '99', now)).rows).toEqual([{ accepted: false }]);

    const outdated = await PostgresBudgetStore.open(pool, { schema, migrate: false }).catch(
      (error: unknown) => error,
    );
    expect(outdated).toMatchObject({ code: 'schema_outdated' });
    const checks = ['global', 'tag:team=a', 'key:k1', 'tag:team=b'].flatMap((scope) =>
      [null, new Date(Date.UTC(2026, 11, 7)), new Date(now - 90 * 60_000)].map((since, index) => ({
        limitId: `${scope}-${index}`,
        scope,
        since,
        limit: Money.of('100', 'USD'),
        hard: true,
      })),
    );
    const tallies = async (read: PostgresBudgetStore) =>
      (await read.tally(checks, new Date(now))).map(
        (tally) => `${tally.limitId} ${tally.spent.toDecimalString()} ${tally.reserved.toDecimalString()}`,
      );
    // The version 2 tallies, read with its own function before the upgrade.
    const { rows: before } = await pool.query(
      `SELECT t.spent::text AS spent, t.reserved::text AS reserved
       FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c(scope, since_ms, position)
       CROSS JOIN LATERAL ${names.qualify('budget_tally')}(c.scope, 'USD', c.since_ms, $3) AS t ORDER BY c.position`,
      [checks.map((check) => check.scope), checks.map((check) => check.since?.getTime() ?? null), now],
    );
    const upgraded = await PostgresBudgetStore.open(pool, { schema });
    expect(await tallies(upgraded)).toEqual(
      checks.map((check, index) => {
        const row = before[index] as { spent: string; reserved: string };
        const usd = (text: string) => Money.fromUnits(BigInt(text), 'USD').toDecimalString();
        return `${check.limitId} ${usd(row.spent)} ${usd(row.reserved)}`;
      }),
    );
    expect((await tallies(upgraded)).slice(0, 3)).toEqual([
      'global-0 2.75 0.25',
      'global-1 1.25 0.25',
      'global-2 0.75 0.25',
    ]);
    // A version 2 process still running reserves through the function it knows.
    const { rows: old } = await pool.query(
      `SELECT * FROM ${names.qualify('budget_reserve')}('old-process', ARRAY['global'], 'USD', $1, $2, 'old', $3,
         NULL, NULL, NULL, $2, ARRAY['global', 'global'], ARRAY[NULL, $4]::bigint[], ARRAY[${units('100')}, ${units('1')}],
         ARRAY[true, false])`,
      [units('0.5'), now, now + hour, Date.UTC(2026, 11, 7)],
    );
    expect(old).toEqual([
      {
        accepted: true,
        tally_spent: [units('2.75'), units('1.25')],
        tally_reserved: [units('0.25'), units('0.25')],
        expiries_waiting: true,
      },
    ]);
    expect(await upgraded.release('old-process')).toBe('released');
    // Its open reservation settles and the lapsed one is claimed, on the running totals.
    expect(await upgraded.settle('open', Money.of('0.2', 'USD'), new Date(now))).toBe('settled');
    expect((await upgraded.claimExpired('new', new Date(now))).map((charge) => charge.id)).toEqual([
      'lapsed',
    ]);
    const [global] = await upgraded.tally(checks.slice(0, 1), new Date(now));
    expect([global?.spent.toDecimalString(), global?.reserved.toDecimalString()]).toEqual(['2.95', '0']);
    await pool.end();
  });
});

describe('PostgresBudgetStore upgrade to version 3 while version 2 processes run', () => {
  it('lets their calls in flight finish first; those that wait for it fail and write nothing', async () => {
    const schema = schemas.fresh();
    const names = postgresNames({ schema });
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 4 });
    await applyPostgresMigrations(pool, names, 'budget', budgetMigrations(names).slice(0, 2));
    const now = Date.now();
    const reserve = (id: string) =>
      pool.query(
        `SELECT * FROM ${names.qualify('budget_reserve')}($1, ARRAY['global'], 'USD', 100, $2, 'old', $3, NULL, NULL,
           NULL, $2, ARRAY['global'], ARRAY[NULL::bigint], ARRAY[1000000], ARRAY[true])`,
        [id, now, now + 60_000],
      );
    await reserve('before');
    const upgrading = await pool.connect();
    await upgrading.query('BEGIN');
    await upgrading.query((budgetMigrations(names)[2] as { sql: string }).sql);
    const outcome = (pending: Promise<unknown>) =>
      pending.then(
        () => 'done',
        (error: { code?: string }) => `failed ${error.code}`,
      );
    const waiting = [
      outcome(reserve('during')),
      outcome(pool.query(`SELECT ${names.qualify('budget_close')}('before', 'settled', 50, $1)`, [now])),
    ];
    await vi.waitFor(
      async () => {
        const { rows } = await database.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%' || $1 || '%'`,
          [schema],
        );
        expect(rows).toEqual([{ n: 2 }]);
      },
      { timeout: 10_000, interval: 20 },
    );
    await upgrading.query('COMMIT');
    upgrading.release();
    // The lock row and budget_add_spend they go on to use are gone.
    expect(await Promise.all(waiting)).toEqual(['failed 42P01', 'failed 42883']);
    const { rows: charges } = await pool.query(`SELECT id, state FROM ${names.qualify('budget_charges')}`);
    expect(charges).toEqual([{ id: 'before', state: 'reserved' }]);
    const { rows: totals } = await pool.query(
      `SELECT scope, spent::text AS spent, reserved::text AS reserved FROM ${names.qualify('budget_totals')}`,
    );
    expect(totals).toEqual([{ scope: 'global', spent: '0', reserved: '100' }]);
    await pool.end();
  });
});

describe('PostgresBudgetStore running totals', () => {
  it('tallies every window as the memory store does when settles arrive out of day order, and after expiries', async () => {
    const stores = [
      new MemoryBudgetStore(),
      await PostgresBudgetStore.open(postgresUrl(), { schema: schemas.fresh() }),
    ];
    const day = 86_400_000;
    const start = Date.UTC(2026, 11, 5);
    const usd = (amount: string) => Money.of(amount, 'USD');
    const charge = (id: string, at: number, scopes: string[], leaseMs = 3 * day) => ({
      id,
      scopes,
      amount: usd('1'),
      time: new Date(at),
      owner: 'o',
      expiresAt: new Date(at + leaseMs),
      idempotencyKey: null,
      model: null,
      provider: null,
    });
    const checks = ['global', 'tag:team=a'].flatMap((scope) =>
      [
        null,
        start,
        start + day,
        start + 2 * day,
        start + day + 7 * 3_600_000,
        start + 2 * day + 3_600_000,
      ].map((since, index) => ({
        limitId: `${scope} ${index}`,
        scope,
        since: since === null ? null : new Date(since),
        limit: usd('100'),
        hard: true,
      })),
    );
    const results: string[][] = [];
    for (const store of stores) {
      const seen: string[] = [];
      const tallies = async (at: number) => {
        for (const tally of await store.tally(checks, new Date(at))) {
          seen.push(`${tally.limitId} ${tally.spent.toDecimalString()} ${tally.reserved.toDecimalString()}`);
        }
      };
      const at = (hours: number) => start + hours * 3_600_000;
      for (const [id, hours] of [
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
      ] as const) {
        await store.reserve(charge(id, at(hours), ['global', 'tag:team=a']), [], new Date(at(hours)));
      }
      await store.reserve(charge('lapses', at(5), ['global'], 3_600_000), [], new Date(at(5)));
      // A settle on a later day moves the day the totals row keeps into the day sums...
      await store.settle('b', usd('0.25'), new Date(at(30)));
      await tallies(at(31));
      // ... one on an earlier day goes to that day's sum, one the next day moves it along again.
      await store.settle('a', usd('0.5'), new Date(at(10)));
      await store.settle('c', usd('0.125'), new Date(at(50)));
      await store.release('d');
      await tallies(at(51));
      // The lapsed lease counts as spent at its expiry (day one) until claimed and settled late.
      await store.claimExpired('claimant', new Date(at(52)));
      await store.settle('lapses', usd('0.0625'), new Date(at(53)));
      await tallies(at(54));
      results.push(seen);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]?.filter((line) => line.startsWith('global 0 '))).toEqual([
      'global 0 1.25 3',
      'global 0 1.875 0',
      'global 0 0.9375 0',
    ]);
    await stores[1]?.close();
  });
});
