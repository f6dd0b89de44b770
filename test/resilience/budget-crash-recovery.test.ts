import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Budget, type BudgetExpiry } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { reconcile } from '../../src/cost/reconcile.js';
import { recoverUsage } from '../../src/cost/recover-usage.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import { SqliteBudgetStore } from '../../src/cost/sqlite-budget-store.js';
import { BudgetExceededError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { parseServerUsage } from '../../src/wire/aiaas/server-usage-schemas.js';
import { leasesRenewed } from '../support/lease-renewal.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const spender = fileURLToPath(new URL('./support/crashing-spender.ts', import.meta.url));
const apiKey = 'sk-crash-test';
const leaseMs = 2_000;
const inFlight = 5;
const usd = (amount: string) => Money.of(amount, 'USD');

let server: ReferenceServer;
let directory: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-crash-'));
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
});
afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

/** Starts the spender and resolves with what it says once its calls are in flight. */
async function startSpender(
  budgetPath: string,
  ledgerPath: string,
): Promise<{ owner: string; keys: string[] }> {
  const args = [budgetPath, ledgerPath, String(inFlight), String(leaseMs), '1', '0.15'];
  child = spawn(process.execPath, ['--import', 'tsx', spender, server.url, apiKey, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the spender exited (${code}) before its calls were in flight: ${errors.join('')}`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  return JSON.parse(line);
}

describe('a process SIGKILLed with calls in flight', () => {
  it('holds the budget by its leases, not for ever: they lapse into estimated spend, then recovery bills it exactly', async () => {
    const budgetPath = join(directory, 'budget.db');
    const ledgerPath = join(directory, 'spend.jsonl');
    const { owner, keys } = await startSpender(budgetPath, ledgerPath);

    // This process shares the budget (its own connection) and the ledger file.
    const store = await SqliteBudgetStore.open(budgetPath);
    const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath) });
    const limits = [{ limit: usd('1') }];
    const expired: BudgetExpiry[] = [];
    const budget = new Budget({
      limits,
      store,
      ledger,
      leaseMs,
      onExpired: (expiry) => expired.push(expiry),
    });
    // While it lives, the process renews its leases (past their first end), and the budget holds.
    const first = await leasesRenewed(store, keys);
    expect(first.map((charge) => [charge.owner, charge.state])).toEqual(keys.map(() => [owner, 'reserved']));
    await expect(budget.reserve(usd('0.3'))).rejects.toThrow(BudgetExceededError);

    const spender = child as ChildProcess;
    const exit = once(spender, 'exit');
    const killedAt = Date.now();
    spender.kill('SIGKILL');
    expect(await exit).toEqual([null, 'SIGKILL']);
    // Dead, but its reservations hold until their leases run out (they outlive the process)...
    const orphaned = await store.charges({ idempotencyKeys: keys });
    expect(
      orphaned.every((charge) => charge.state === 'reserved' && charge.expiresAt.getTime() > killedAt),
    ).toBe(true);
    // A loaded machine may take longer than a lease between the kill and this read: the hold is
    // checked only while its leases (with a margin) still run.
    const leaseEnd = Math.min(...orphaned.map((charge) => charge.expiresAt.getTime()));
    if (Date.now() < leaseEnd - 500) {
      const [held] = await budget.status();
      expect(held?.reserved.toDecimalString()).toBe('0.75');
      await expect(budget.reserve(usd('0.3'))).rejects.toThrow(/reserved 0\.75/);
    }

    // ... and no longer: then they count as spent, at their full amount, until recovery says better.
    await vi.waitFor(
      async () => {
        const [status] = await budget.status();
        expect(status?.reserved.isZero()).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    const [lapsed] = await budget.status();
    expect(lapsed?.spent.compare(usd('0.75'))).toBe(1);

    // Recorded as estimated, once each, even with a second process's Budget sweeping too.
    const rival = new Budget({ limits, store: await SqliteBudgetStore.open(budgetPath), ledger, leaseMs });
    await Promise.all([budget.sweep(), rival.sweep(), budget.sweep()]);
    await vi.waitFor(
      async () =>
        expect(await ledger.entries({ tags: { 'aiaas.entry': 'lease-expired' } })).toHaveLength(inFlight),
      {
        timeout: 10_000,
      },
    );
    await Promise.all([budget.sweep(), rival.sweep()]);
    const estimates = await ledger.entries({ tags: { 'aiaas.entry': 'lease-expired' } });
    expect(estimates.map((entry) => entry.idempotencyKey).sort()).toEqual([...keys].sort());
    expect(estimates.every((entry) => entry.cost?.equals(usd('0.15')) && entry.tags.job === 'crash')).toBe(
      true,
    );

    // Recovery turns the server's records into recovered entries and replaces the estimates.
    const provider = new ServerBillingSource({ baseURL: server.url, apiKey });
    const result = await recoverUsage({ ledger, budget, provider });
    expect(result.recovered.map((entry) => entry.idempotencyKey).sort()).toEqual([...keys].sort());
    expect(result.recovered.every((entry) => entry.usage.outputTokens.provenance === 'recovered')).toBe(true);
    expect(result.corrections).toHaveLength(inFlight);
    expect(result.settled.map((settled) => settled.was)).toEqual(keys.map(() => 'expired'));
    expect(result.skipped).toEqual([]);

    const billing = parseServerUsage(
      await (
        await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } })
      ).json(),
    );
    expect(billing.data).toHaveLength(2 + inFlight);
    const billed = usd(billing.totals.USD as string);
    expect((await ledger.total()).USD?.equals(billed)).toBe(true);
    const reconciled = reconcile(await ledger.entries(), billing);
    expect(reconciled.zeroDifference).toBe(true);
    expect(reconciled.counts.matched).toBe(2 + inFlight);
    const [after] = await budget.status();
    expect(after?.spent.equals(billed)).toBe(true);
    expect(after?.reserved.isZero()).toBe(true);
    await budget.reserve(usd('0.3'));

    // Running it again, or sweeping, changes nothing.
    const again = await recoverUsage({ ledger, budget, provider });
    expect([again.recovered, again.corrections, again.settled]).toEqual([[], [], []]);
    expect(await rival.sweep()).toEqual([]);
    expect((await ledger.total()).USD?.equals(billed)).toBe(true);
    await rival.close();
    await budget.close();
    await ledger.close();
  }, 60_000);
});
