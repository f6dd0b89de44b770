import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { Budget } from '../../src/cost/budget.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { PostgresBudgetStore } from '../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../src/cost/postgres-ledger-store.js';
import { reconcile } from '../../src/cost/reconcile.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { parseServerUsage } from '../../src/wire/aiaas/server-usage-schemas.js';
import { type LineProcess, startLineProcess } from '../support/line-process.js';
import { postgresUrl, usePostgresSchemas } from '../support/postgres-schemas.js';
import type { PostgresSpenderAssignment } from './support/postgres-spender.js';
import { spendingCall } from './support/postgres-spending-call.js';

const spender = fileURLToPath(new URL('./support/postgres-spending-process.ts', import.meta.url));
const apiKey = 'sk-postgres-processes';
const processes = 4;
const callsPerProcess = 100;
/** The limit, in reservations at the quoted maximum: far fewer than the calls, so most are refused. */
const reservationsInLimit = 120n;

const schemas = usePostgresSchemas();
let server: ReferenceServer;
const started: LineProcess[] = [];

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
});
afterAll(async () => {
  await Promise.all(started.map((process) => process.kill()));
  await server?.close();
});

interface SpenderResult {
  succeeded: number;
  refused: number;
  failed: string[];
}

describe('one PostgreSQL budget shared by separate processes', () => {
  it(`${processes} processes x ${callsPerProcess} concurrent calls never overspend a hard limit, and the ledger is the server's bill`, async () => {
    const schema = schemas.fresh();
    // Migrated once here; the processes then find their tables ready.
    const store = await PostgresBudgetStore.open(postgresUrl(), { schema, maxConnections: 2 });
    const ledger = new Ledger({
      store: await PostgresLedgerStore.open(postgresUrl(), { schema, maxConnections: 2 }),
    });
    const quoting = new AiaasClient({ baseURL: server.url, apiKey, pricing: 'server', logLevel: 'off' });
    const { max } = await quoting.quote(spendingCall(0));
    await quoting.close();
    const limit = max.times(reservationsInLimit);

    const assignment: PostgresSpenderAssignment = {
      url: server.url,
      apiKey,
      postgresUrl: postgresUrl(),
      schema,
      limit: limit.toDecimalString(),
      calls: callsPerProcess,
    };
    for (let index = 0; index < processes; index += 1) {
      started.push(startLineProcess(spender, [JSON.stringify(assignment)]));
    }
    // A barrier: every process has its pools and prices before any call, so all 400 contend.
    expect(await Promise.all(started.map((process) => process.next()))).toEqual(started.map(() => 'ready'));
    for (const process of started) process.child.stdin.end('go\n');
    const results = await Promise.all(started.map((process) => process.nextJson<SpenderResult>()));
    expect(await Promise.all(started.map((process) => process.exited))).toEqual(started.map(() => [0, null]));

    expect(results.flatMap((result) => result.failed)).toEqual([]);
    const succeeded = results.reduce((sum, result) => sum + result.succeeded, 0);
    const refused = results.reduce((sum, result) => sum + result.refused, 0);
    expect(succeeded + refused).toBe(processes * callsPerProcess);
    // Each call settles below its reservation, so at least the limit's count of them fit; the rest are refused.
    expect(succeeded).toBeGreaterThanOrEqual(Number(reservationsInLimit));
    expect(refused).toBeGreaterThan(0);

    // Never overspent: by the server's own bill, which counts every call that reached it.
    const billing = parseServerUsage(
      await (
        await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } })
      ).json(),
    );
    expect(billing.data).toHaveLength(succeeded);
    const billed = Money.of(billing.totals.USD as string, 'USD');
    expect(billed.compare(limit)).toBeLessThanOrEqual(0);

    // The ledger the four processes wrote is the bill, call by call and in total.
    const entries = await ledger.entries();
    const reconciled = reconcile(entries, billing);
    expect(reconciled.counts).toEqual({
      matched: succeeded,
      different: 0,
      'missing-in-provider': 0,
      'missing-in-ledger': 0,
    });
    expect(reconciled.zeroDifference).toBe(true);
    expect((await ledger.total()).USD?.equals(billed)).toBe(true);

    // No reservation left open: the budget's spend is the bill, and every charge is settled.
    const budget = new Budget({ limits: [{ limit }], store });
    const [status] = await budget.status();
    expect(status?.spent.equals(billed)).toBe(true);
    expect(status?.reserved.isZero()).toBe(true);
    const database = new pg.Client({ connectionString: postgresUrl() });
    await database.connect();
    const { rows } = await database.query(
      `SELECT state, count(*)::int AS charges FROM "${schema}".aiaas_budget_charges GROUP BY state`,
    );
    await database.end();
    expect(rows).toEqual([{ state: 'settled', charges: succeeded }]);
    await budget.close();
    await ledger.close();
  }, 60_000);
});
