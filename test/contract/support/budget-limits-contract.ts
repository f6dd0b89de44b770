import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Budget, type BudgetWarning } from '../../../src/cost/budget.js';
import { budgetScopes } from '../../../src/cost/budget-limit.js';
import { Money } from '../../../src/cost/money.js';
import { BudgetExceededError } from '../../../src/errors/index.js';
import { manualClock } from '../../support/manual-clock.js';
import type { BudgetStoreKind } from './store-kinds.js';

const usd = (amount: string) => Money.of(amount, 'USD');
const worker = fileURLToPath(new URL('./store-worker.ts', import.meta.url));

/** Limits, windows, scopes and concurrency, through a Budget over the store. */
export function describeBudgetLimits(kind: BudgetStoreKind): void {
  describe(`${kind.name}: hard limits`, () => {
    it('fails closed before spending, naming the scope, the limit and the amount reached', async () => {
      const { first, close } = await kind.open();
      const budget = new Budget({ limits: [{ limit: usd('1') }], store: first });
      await budget.reserve(usd('0.9'));
      const error = await budget.reserve(usd('0.2')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BudgetExceededError);
      expect(error).toMatchObject({
        scope: 'global',
        limit: '1 USD',
        attempted: '1.1 USD',
        retryable: false,
      });
      expect((error as Error).message).toMatch(/Nothing was sent/);
      const [status] = await budget.status();
      expect(status?.reserved.toDecimalString()).toBe('0.9');
      expect(status?.remaining.toDecimalString()).toBe('0.1');
      await budget.reserve(usd('0.1'));
      await expect(budget.reserve(usd('0.000000000001'))).rejects.toThrow(BudgetExceededError);
      await close();
    });

    it('settle records the actual cost and frees the rest; a larger one is recorded and warned about', async () => {
      const { first, close } = await kind.open();
      const warnings: BudgetWarning[] = [];
      const budget = new Budget({
        limits: [{ limit: usd('1') }],
        store: first,
        onWarning: (warning) => warnings.push(warning),
      });
      await budget.settle(await budget.reserve(usd('0.5')), usd('0.2'));
      expect((await budget.status())[0]).toMatchObject({ spent: usd('0.2'), reserved: usd('0') });
      await budget.reserve(usd('0.8'));
      await expect(budget.reserve(usd('0.01'))).rejects.toThrow(BudgetExceededError);
      const [held] = await first.tally([
        { limitId: 'g', scope: 'global', since: null, limit: usd('9'), hard: true },
      ]);
      expect(held?.reserved.toDecimalString()).toBe('0.8');
      const over = new Budget({
        limits: [{ limit: usd('1') }],
        store: first,
        onWarning: (warning) => warnings.push(warning),
      });
      expect(warnings).toEqual([]);
      // 0.2 spent and 0.8 held: settling a 0 reservation at 0.25 overspends the hard limit.
      await over.settle(await over.reserve(usd('0')), usd('0.25'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ phase: 'settle', limit: { mode: 'hard' } });
      expect(warnings[0]?.attempted.toDecimalString()).toBe('1.25');
      expect((await over.status())[0]?.remaining.toDecimalString()).toBe('-0.25');
      await close();
    });

    it('release frees a reservation once; settle after release or twice is refused', async () => {
      const { first, close } = await kind.open();
      const budget = new Budget({ limits: [{ limit: usd('1') }], store: first });
      const held = await budget.reserve(usd('1'));
      expect(await budget.release(held)).toBe(true);
      expect(await budget.release(held)).toBe(false);
      await expect(budget.settle(held, usd('0.1'))).rejects.toMatchObject({ code: 'reservation_closed' });
      const second = await budget.reserve(usd('1'));
      await budget.settle(second, usd('0.3'));
      expect(await budget.release(second)).toBe(false);
      await expect(budget.settle(second, usd('0.3'))).rejects.toMatchObject({ code: 'reservation_closed' });
      await expect(budget.settle({ ...second, id: 'nope' }, usd('0.3'))).rejects.toMatchObject({
        code: 'unknown_reservation',
      });
      await expect(budget.release({ ...second, id: 'nope' })).rejects.toMatchObject({
        code: 'unknown_reservation',
      });
      await close();
    });

    it('keeps amounts beyond 64-bit integers exact', async () => {
      const { first, close } = await kind.open();
      const budget = new Budget({ limits: [{ limit: usd('100000000') }], store: first });
      await budget.settle(await budget.reserve(usd('50000000')), usd('50000000.000000000001'));
      expect((await budget.status())[0]?.spent.toDecimalString()).toBe('50000000.000000000001');
      await close();
    });
  });

  describe(`${kind.name}: scopes and windows`, () => {
    it('applies tag and key limits only to calls in those scopes, and global to all', async () => {
      const { first, second, close } = await kind.open();
      const limits = [
        { limit: usd('10') },
        { scope: 'tag:team=search', limit: usd('1') },
        { scope: 'key:key_b', limit: usd('2') },
      ];
      const budget = new Budget({ limits, store: first });
      const other = new Budget({ limits, store: second });
      await budget.reserve(usd('1'), budgetScopes({ tags: { team: 'search' } }));
      await expect(other.reserve(usd('0.5'), ['tag:team=search'])).rejects.toMatchObject({
        scope: 'tag:team=search',
      });
      await other.reserve(usd('0.5'), ['tag:team=ads']);
      await budget.reserve(usd('2'), budgetScopes({ tags: { team: 'ads' }, apiKeyId: 'key_b' }));
      await expect(other.reserve(usd('0.01'), ['key:key_b'])).rejects.toMatchObject({ scope: 'key:key_b' });
      await other.reserve(usd('6.5'));
      await expect(budget.reserve(usd('0.01'))).rejects.toMatchObject({ scope: 'global' });
      await close();
    });

    it('a day window resets at UTC midnight, a total window never does', async () => {
      const { first, close } = await kind.open();
      const time = manualClock('2025-03-01T23:59:00Z');
      const budget = new Budget({
        now: time.now,
        store: first,
        limits: [
          { limit: usd('1'), window: 'day' },
          { scope: 'tag:team=x', limit: usd('1.5') },
        ],
      });
      await budget.settle(await budget.reserve(usd('1'), ['tag:team=x']), usd('1'));
      await expect(budget.reserve(usd('0.1'))).rejects.toThrow(BudgetExceededError);
      time.advance(60_000);
      await budget.reserve(usd('0.1'));
      await budget.settle(await budget.reserve(usd('0.4'), ['tag:team=x']), usd('0.4'));
      await expect(budget.reserve(usd('0.2'), ['tag:team=x'])).rejects.toMatchObject({ scope: 'tag:team=x' });
      await close();
    });

    it('a rolling window forgets spend older than N minutes, across days', async () => {
      const { first, close } = await kind.open();
      const time = manualClock('2025-03-01T23:30:00Z');
      const budget = new Budget({
        now: time.now,
        store: first,
        limits: [{ limit: usd('1'), window: { rollingMinutes: 60 } }],
        // A day-long lease: this test is about windows, not leases.
        leaseMs: 86_400_000,
      });
      await budget.settle(await budget.reserve(usd('0.6')), usd('0.6'));
      time.advance(40 * 60_000);
      await budget.settle(await budget.reserve(usd('0.3')), usd('0.3'));
      // 00:29 the next day: both settlements are within the hour, one of them yesterday.
      time.advance(19 * 60_000);
      await expect(budget.reserve(usd('0.2'))).rejects.toThrow(/spent 0\.9/);
      time.advance(60_001);
      await budget.reserve(usd('0.5'));
      // An open reservation whose lease holds counts whatever its age.
      time.advance(3 * 60 * 60_000);
      await expect(budget.reserve(usd('0.6'))).rejects.toThrow(BudgetExceededError);
      await close();
    });
  });

  describe(`${kind.name}: concurrency`, () => {
    it('100 concurrent reservations through two handles never overspend a hard limit', async () => {
      const { first, second, close } = await kind.open();
      const budgets = [first, second].map((store) => new Budget({ limits: [{ limit: usd('1') }], store }));
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, index) => (budgets[index % 2] as Budget).reserve(usd('0.03'))),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(33);
      const refused = results.filter((result) => result.status === 'rejected');
      expect(refused.every((result) => result.reason instanceof BudgetExceededError)).toBe(true);
      expect((await (budgets[1] as Budget).status())[0]?.reserved.toDecimalString()).toBe('0.99');
      await close();
    });

    it('100 concurrent reserve-then-settle calls spend at most the limit and leave nothing reserved', async () => {
      const { first, second, close } = await kind.open();
      const budgets = [first, second].map((store) => new Budget({ limits: [{ limit: usd('1') }], store }));
      const settledAmount = (index: number) => usd(index % 2 === 0 ? '0.05' : '0.01');
      const call = async (index: number) => {
        const budget = budgets[index % 2] as Budget;
        const reservation = await budget.reserve(usd('0.05'));
        await budget.settle(reservation, settledAmount(index));
        return settledAmount(index);
      };
      const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, index) => call(index)));
      const settled = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const [status] = await (budgets[0] as Budget).status();
      expect(status?.reserved.isZero()).toBe(true);
      expect(status ? status.spent.compare(usd('1')) <= 0 : false).toBe(true);
      // At least 20 of 0.05 fit before the first settlement could free anything; the budget
      // spent exactly what those that got through settled.
      expect(settled.length).toBeGreaterThanOrEqual(20);
      const expected = Money.sum('USD', settled);
      expect(status?.spent.equals(expected)).toBe(true);
      await close();
    });

    it('holds across handles and, where the store outlives them, after reopening', async () => {
      const pair = await kind.open();
      const limits = [
        { limit: usd('1') },
        { scope: 'tag:team=a', limit: usd('0.5'), window: 'day' as const },
      ];
      const first = new Budget({ limits, store: pair.first });
      const second = new Budget({ limits, store: pair.second });
      const held = await first.reserve(usd('0.4'), ['tag:team=a']);
      await expect(second.reserve(usd('0.2'), ['tag:team=a'])).rejects.toMatchObject({ scope: 'tag:team=a' });
      await second.settle(held, usd('0.1'));
      await second.reserve(usd('0.4'), ['tag:team=a']);
      expect(await first.release(held)).toBe(false);
      await pair.close();
      if (pair.reopen === undefined) return;
      const reopened = new Budget({ limits, store: await pair.reopen() });
      const [global, team] = await reopened.status();
      expect([global?.spent.toDecimalString(), global?.reserved.toDecimalString()]).toEqual(['0.1', '0.4']);
      expect(team?.remaining.toDecimalString()).toBe('0');
      await expect(reopened.reserve(usd('0.01'), ['tag:team=a'])).rejects.toThrow(BudgetExceededError);
      await reopened.close();
    });

    if (kind.acrossProcesses) {
      it('never overspends with several processes reserving against one store', async () => {
        const pair = await kind.open();
        // Three processes try 60 charges of 0.01 each against a 1 USD limit: exactly 100 fit.
        const accepted = await runWorkers(pair.workerArguments ?? [], ['a', 'b', 'c'], 60);
        expect(accepted.reduce((sum, count) => sum + count, 0)).toBe(100);
        const budget = new Budget({ limits: [{ limit: usd('1') }], store: pair.first });
        expect((await budget.status())[0]).toMatchObject({ spent: usd('1'), reserved: usd('0') });
        await pair.close();
      }, 30_000);
    }
  });
}

/**
 * Starts one worker process per name on the shared store, lets them all reserve at once (each
 * says `ready`, then all are told `go`), and gives how many charges each got.
 */
async function runWorkers(workerArguments: readonly string[], names: readonly string[], attempts: number) {
  const workers = names.map((name) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', worker, ...workerArguments, name, String(attempts)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`worker ${name} exited with ${code}`);
    });
    // Raced below; once the worker has answered, its exit is no news.
    exited.catch(() => {});
    return { child, lines, exited };
  });
  await Promise.all(workers.map(({ lines, exited }) => Promise.race([once(lines, 'line'), exited])));
  for (const { child } of workers) child.stdin.end('go\n');
  return Promise.all(
    workers.map(async ({ lines, exited }) => {
      const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
      return (JSON.parse(line) as { accepted: number }).accepted;
    }),
  );
}
