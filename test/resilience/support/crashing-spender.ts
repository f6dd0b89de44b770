// Run in a child process by budget-crash-recovery.test.ts, which SIGKILLs it: a process that
// spends against a shared SQLite budget and a JSONL ledger, and dies with calls in flight.
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import { Budget } from '../../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';

const [url, apiKey, budgetPath, ledgerPath, inFlightText, leaseText, limitText, reserveText] =
  process.argv.slice(2) as [string, string, string, string, string, string, string, string];

const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath) });
const budget = new Budget({
  limits: [{ limit: Money.of(limitText, 'USD') }],
  store: await SqliteBudgetStore.open(budgetPath),
  leaseMs: Number(leaseText),
  ledger,
});

// Calls that complete, through the client as it is: reserved, billed, recorded, settled.
const client = new AiaasClient({ baseURL: url, apiKey, pricing: 'server', budget, ledger, logLevel: 'off' });
const messages = [{ role: 'user' as const, content: 'What about the economy?' }];
for (const seed of [1, 2]) {
  await client.chat.completions.create({ model: 'ref-chat', messages, max_tokens: 8, seed });
}

// Calls in flight: each reserved with its idempotency key and sent; the server bills them, and
// this process dies before it records or settles any of them.
const keys = Array.from({ length: Number(inFlightText) }, (_, index) => `crash-${process.pid}-${index}`);
for (const key of keys) {
  await budget.reserve(Money.of(reserveText, 'USD'), ['tag:job=crash'], {
    idempotencyKey: key,
    model: 'ref-chat',
    provider: 'openai',
  });
}
await Promise.all(
  keys.map(async (key, index) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ model: 'ref-chat', messages, max_tokens: 8, seed: 10 + index }),
    });
    if (response.status !== 200) throw new Error(`call ${key} answered ${response.status}`);
    await response.json();
  }),
);

// Mid-flight: tell the parent, then keep running (renewing the leases) until killed.
process.stdout.write(`${JSON.stringify({ owner: budget.owner, keys })}\n`);
setInterval(() => {}, 60_000);
