// Two processes share one hard budget and one ledger through SQLite files: together they never
// spend past the limit, every call is in the ledger, and the budget's spend equals the ledger's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Budget, Ledger, Money, SqliteBudgetStore, SqliteLedgerStore } from 'aiaas';
import { silentServerLogger, startReferenceServer } from 'aiaas/server';

const run = promisify(execFile);
const limit = '0.0005';
const server = await startReferenceServer({
  port: 0,
  seed: 3,
  apiKeys: ['sk-pack'],
  logger: silentServerLogger,
});
try {
  const spenders = await Promise.all(
    [1, 2].map(() => run(process.execPath, ['sqlite-spender.mjs', server.url, limit], { timeout: 120_000 })),
  );
  const calls = spenders.map(({ stdout }) => JSON.parse(stdout).calls);
  assert.ok(
    calls.every((count) => count > 0),
    `each process made calls: ${calls}`,
  );

  const ledger = new Ledger({ store: await SqliteLedgerStore.open('spend.db') });
  const budget = new Budget({
    limits: [{ limit: Money.of(limit, 'USD') }],
    store: await SqliteBudgetStore.open('budget.db'),
  });
  const entries = await ledger.entries();
  const ledgerTotal = (await ledger.total()).USD;
  const [status] = await budget.status();
  await ledger.close();
  await budget.close();
  assert.equal(entries.length, calls[0] + calls[1]);
  assert.ok(status.reserved.isZero(), `reservations left open: ${status.reserved}`);
  assert.ok(status.spent.equals(ledgerTotal), `budget spent ${status.spent}, ledger ${ledgerTotal}`);
  assert.ok(status.spent.compare(Money.of(limit, 'USD')) <= 0, `overspent: ${status.spent}`);
  console.log(
    `two processes, one SQLite budget: ${calls.join(' + ')} calls, ${status.spent.toDecimalString()} of ${limit} USD`,
  );
} finally {
  await server.close();
}
