// Run in a child process by the budget contract: one of several processes sharing one store.
// Arguments: sqlite <path> | postgres <url> <schema>, then its name and how many charges to try.
import { createInterface } from 'node:readline';
import { Budget } from '../../../src/cost/budget.js';
import type { BudgetStore } from '../../../src/cost/budget-store.js';
import { Money } from '../../../src/cost/money.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';

const [kind, location, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
let store: BudgetStore;
let attemptsText: string;
if (kind === 'sqlite') {
  store = await SqliteBudgetStore.open(location, { busyTimeoutMs: 20_000 });
  attemptsText = rest[1] as string;
} else {
  store = await PostgresBudgetStore.open(location, { schema: rest[0] as string, maxConnections: 2 });
  attemptsText = rest[2] as string;
}
const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD') }], store });

// A barrier: every process starts reserving only once all are ready, so their transactions contend.
process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));

const charge = Money.of('0.01', 'USD');
let accepted = 0;
for (let index = 0; index < Number(attemptsText); index += 1) {
  try {
    const reservation = await budget.reserve(charge);
    accepted += 1;
    await budget.settle(reservation, charge);
  } catch (error) {
    if ((error as Error).name !== 'BudgetExceededError') throw error;
  }
}
await budget.close();
process.stdout.write(`${JSON.stringify({ accepted })}\n`);
