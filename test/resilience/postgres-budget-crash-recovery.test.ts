import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestArrivals } from '../../scripts/chaos/request-arrivals.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { Budget } from '../../src/cost/budget.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { PostgresBudgetStore } from '../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../src/cost/postgres-ledger-store.js';
import { reconcile } from '../../src/cost/reconcile.js';
import { recoverUsage } from '../../src/cost/recover-usage.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import { BudgetExceededError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { parseServerUsage } from '../../src/wire/aiaas/server-usage-schemas.js';
import { leasesRenewed } from '../support/lease-renewal.js';
import { type LineProcess, startLineProcess } from '../support/line-process.js';
import { postgresUrl, usePostgresSchemas } from '../support/postgres-schemas.js';
import type { PostgresSpenderAssignment } from './support/postgres-spender.js';
import { spendingCall } from './support/postgres-spending-call.js';

const spender = fileURLToPath(new URL('./support/postgres-crashing-spender.ts', import.meta.url));
const apiKey = 'sk-postgres-crash';
const leaseMs = 2_000;
const inFlight = 5;

const schemas = usePostgresSchemas();
const arrivals = new RequestArrivals();
let server: ReferenceServer;
let child: LineProcess | undefined;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  arrivals.start();
});
afterAll(async () => {
  arrivals.stop();
  await child?.kill();
  await server?.close();
});

describe('a process SIGKILLed with calls in flight, on a PostgreSQL budget and ledger', () => {
  it('holds the budget only until its leases lapse, and recovery brings back exactly what the server billed', async () => {
    const quoting = new AiaasClient({ baseURL: server.url, apiKey, pricing: 'server', logLevel: 'off' });
    const { max } = await quoting.quote(spendingCall(0));
    await quoting.close();
    // Room for the killed process's calls at their quoted maximum, and not for one more call.
    const limit = max.times(BigInt(inFlight + 1)).minus(Money.fromUnits(1n, 'USD'));
    const limits = [{ limit }];
    const schema = schemas.fresh();
    const stores = { schema, maxConnections: 2 };
    const store = await PostgresBudgetStore.open(postgresUrl(), stores);
    const ledger = new Ledger({ store: await PostgresLedgerStore.open(postgresUrl(), stores) });
    // This process shares the budget and the ledger, and calls the server through its own client.
    const budget = new Budget({ limits, store, ledger, leaseMs });
    const client = new AiaasClient({
      baseURL: server.url,
      apiKey,
      pricing: 'server',
      budget,
      ledger,
      logLevel: 'off',
    });

    const assignment: PostgresSpenderAssignment = {
      url: server.url,
      apiKey,
      postgresUrl: postgresUrl(),
      schema,
      limit: limit.toDecimalString(),
      calls: inFlight,
      leaseMs,
    };
    child = startLineProcess(spender, [JSON.stringify(assignment)]);
    const { owner, keys } = await child.nextJson<{ owner: string; keys: string[] }>();
    // Every call's body has reached the server: each was reserved before it was sent, and is the server's to bill.
    await arrivals.reached(keys, AbortSignal.timeout(30_000));
    // The budget holds them: one more call is refused. While the process lives, it renews their
    // leases (past their first end); it is killed right after a renewal.
    await expect(client.chat.completions.create(spendingCall(100))).rejects.toThrow(BudgetExceededError);
    const first = await leasesRenewed(store, keys);
    expect(first.map((charge) => [charge.owner, charge.state])).toEqual(keys.map(() => [owner, 'reserved']));

    const killedAt = Date.now();
    await child.kill();
    expect(await child.exited).toEqual([null, 'SIGKILL']);
    // Nothing was released at its death: each reservation stays until its lease, renewed just
    // before, runs out (on a loaded machine that may be before this read: then it has lapsed).
    const orphaned = await store.charges({ idempotencyKeys: keys });
    for (const charge of orphaned) {
      expect(charge.expiresAt.getTime()).toBeGreaterThan(killedAt);
      expect(['reserved', 'expired']).toContain(charge.state);
    }

    // Then they lapse: nothing is held any more, and what they reserved counts as spent, recorded
    // in the ledger as estimated, until the server's bill says better. What is left can be reserved.
    await vi.waitFor(
      async () => {
        const [status] = await budget.status();
        expect(status?.reserved.isZero()).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    await budget.sweep();
    const estimates = await ledger.entries({ tags: { 'aiaas.entry': 'lease-expired' } });
    expect(estimates.map((entry) => entry.idempotencyKey).sort()).toEqual([...keys].sort());
    expect(estimates.every((entry) => entry.cost?.equals(max))).toBe(true);
    const [lapsed] = await budget.status();
    expect(lapsed?.spent.equals(max.times(BigInt(inFlight)))).toBe(true);
    await budget.release(await budget.reserve(lapsed?.remaining as Money));

    // The server finished and billed the calls once their client was gone; recovery reads its bill.
    const provider = new ServerBillingSource({ baseURL: server.url, apiKey });
    await vi.waitFor(
      async () => {
        const billedKeys = (await provider.records()).map((record) => record.idempotencyKey);
        expect(keys.every((key) => billedKeys.includes(key))).toBe(true);
      },
      { timeout: 30_000, interval: 100 },
    );
    const result = await recoverUsage({ ledger, budget, provider });
    expect(result.recovered.map((entry) => entry.idempotencyKey).sort()).toEqual([...keys].sort());
    expect(result.corrections).toHaveLength(inFlight);
    expect(result.settled.map((settled) => settled.was)).toEqual(keys.map(() => 'expired'));
    expect(result.skipped).toEqual([]);

    // Each killed call's entries (estimate, its reversal, the recovered record) sum to what it was billed.
    const records = await provider.records();
    const entries = await ledger.entries();
    for (const key of keys) {
      const billed = records.find((record) => record.idempotencyKey === key)?.cost;
      const recorded = Money.sum(
        'USD',
        entries.flatMap((entry) => (entry.idempotencyKey === key && entry.cost !== null ? [entry.cost] : [])),
      );
      expect(billed !== undefined && recorded.equals(billed)).toBe(true);
    }
    // Billed below their reservations, they leave room again for the call refused before.
    await client.chat.completions.create(spendingCall(100));

    const billing = parseServerUsage(
      await (
        await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } })
      ).json(),
    );
    expect(billing.data).toHaveLength(inFlight + 1);
    const billed = Money.of(billing.totals.USD as string, 'USD');
    expect((await ledger.total()).USD?.equals(billed)).toBe(true);
    expect(reconcile(await ledger.entries(), billing).zeroDifference).toBe(true);
    const [after] = await budget.status();
    expect(after?.spent.equals(billed)).toBe(true);
    expect(after?.reserved.isZero()).toBe(true);
    const settled = await store.charges({ idempotencyKeys: keys });
    expect(settled.map((charge) => charge.state)).toEqual(keys.map(() => 'settled'));

    // Running recovery again changes nothing.
    const again = await recoverUsage({ ledger, budget, provider });
    expect([again.recovered, again.corrections, again.settled]).toEqual([[], [], []]);
    expect((await ledger.total()).USD?.equals(billed)).toBe(true);
    await client.close();
    await budget.close();
    await ledger.close();
  }, 60_000);
});
