// One of two processes spending from one hard budget kept in a shared SQLite file, recording
// into one shared SQLite ledger. Calls until the budget refuses; prints how many went through.
import {
  AiaasClient,
  Budget,
  BudgetExceededError,
  chat,
  Ledger,
  Money,
  SqliteBudgetStore,
  SqliteLedgerStore,
} from 'aiaas';

const [baseURL, limit] = process.argv.slice(2);
const budget = new Budget({
  limits: [{ limit: Money.of(limit, 'USD') }],
  store: await SqliteBudgetStore.open('budget.db'),
});
const ledger = new Ledger({ store: await SqliteLedgerStore.open('spend.db') });
const client = new AiaasClient({ baseURL, apiKey: 'sk-pack', pricing: 'server', budget, ledger });
let calls = 0;
try {
  for (;;) {
    await client.chat.completions.create(
      chat('ref-chat').user(`Call ${calls} of pid ${process.pid}`).maxTokens(8),
    );
    calls++;
  }
} catch (error) {
  if (!(error instanceof BudgetExceededError)) throw error;
} finally {
  await client.close();
  await ledger.close();
  await budget.close();
}
console.log(JSON.stringify({ calls }));
