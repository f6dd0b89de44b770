// A hard budget holds before any byte is sent: each call reserves its worst case (prompt + max_tokens),
// settles the real cost after, and a call that could pass the limit fails with BudgetExceededError.
import { AiaasClient, Budget, BudgetExceededError, chat, Money } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const budget = new Budget({ limits: [{ scope: 'global', limit: Money.of('0.0004', 'USD'), mode: 'hard' }] });
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey, pricing: 'server', budget });
try {
  const params = chat('ref-chat').user('Give me a short speech.').seed(5).maxTokens(50);
  const quote = await client.quote(params);
  console.log(
    `quote per call: ${quote.min.toDecimalString()} to ${quote.max.toDecimalString()} ${quote.max.currency}`,
  );
  for (let call = 1; call <= 10; call++) {
    try {
      const { cost } = await client.chat.completions.create(params).withResponse();
      console.log(`call ${call}: spent ${cost?.toDecimalString()} ${cost?.currency}`);
    } catch (error) {
      if (!(error instanceof BudgetExceededError)) throw error;
      console.log(`call ${call}: refused before sending: ${error.message}`);
      break;
    }
  }
  const totals = await client.ledger.total();
  console.log(`ledger total: ${totals.USD?.toDecimalString() ?? '0'} USD (limit 0.0004 USD)`);
} finally {
  await client.close();
  await target.close();
}
