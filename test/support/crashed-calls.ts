import { Budget } from '../../src/cost/budget.js';
import type { BudgetStore } from '../../src/cost/budget-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { MemoryBudgetStore } from '../../src/cost/memory-budget-store.js';
import { MemoryLedgerStore } from '../../src/cost/memory-ledger-store.js';
import { Money } from '../../src/cost/money.js';
import { manualClock } from './manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');

/** A process that reserved calls and died before settling or recording them. */
export async function crashedCalls(
  keys: readonly string[],
  options: { leaseMs?: number; store?: BudgetStore; deadStore?: BudgetStore } = {},
) {
  const time = manualClock();
  const store = options.store ?? new MemoryBudgetStore();
  const leaseMs = options.leaseMs ?? 1_000;
  // The dead process's own handle: closing it leaves the live one open (one store in memory).
  const dead = new Budget({
    limits: [{ limit: usd('10') }],
    store: options.deadStore ?? store,
    now: time.now,
    leaseMs,
  });
  for (const key of keys) {
    await dead.reserve(usd('1'), ['tag:team=search', 'key:key_1'], {
      idempotencyKey: key,
      provider: 'openai',
    });
  }
  await dead.close();
  const ledger = new Ledger({ store: new MemoryLedgerStore({ maxEntries: Number.POSITIVE_INFINITY }) });
  const budget = new Budget({ limits: [{ limit: usd('10') }], store, now: time.now, leaseMs, ledger });
  return { time, store, ledger, budget };
}
