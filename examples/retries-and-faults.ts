// Faults on demand: the server fails the first two attempts with 429 + retry-after-ms; the client
// waits as told, retries with the SAME Idempotency-Key, and the server bills the call once.
import { AiaasClient, AiaasError, chat } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({
  baseURL: target.baseURL,
  apiKey: target.apiKey,
  pricing: 'server',
  maxRetries: 3,
  onRetry: ({ error, attempt, delayMs }) =>
    console.log(
      `attempt ${attempt} failed (${error.status ?? error.name}); retrying in ${Math.round(delayMs)} ms`,
    ),
});
try {
  const params = chat('ref-chat').user('How will we create jobs?').seed(3).maxTokens(20);
  const started = performance.now();
  const { data, attempts } = await client.chat.completions
    .create(params, { headers: { 'x-aiaas-fault': 'status=429;retry_after_ms=100;times=2' } })
    .withResponse();
  console.log(
    `succeeded on attempt ${attempts} after ${Math.round(performance.now() - started)} ms: ${data.choices[0]?.message.content?.trim()}`,
  );

  // A 400 cannot be fixed by retrying: it fails at once, and the error says why it stopped.
  try {
    await client.chat.completions.create(params, { headers: { 'x-aiaas-fault': 'status=400' } });
  } catch (error) {
    if (!AiaasError.isInstance(error)) throw error;
    console.log(`${error.name} after ${error.attempts} attempt(s): ${error.message}`);
  }

  if (target.embedded) {
    const usage = await fetch(`${target.baseURL}/v1/usage`, {
      headers: { authorization: `Bearer ${target.apiKey}` },
    });
    const billed = (await usage.json()) as { data: unknown[]; totals: Record<string, string> };
    const ledger = await client.ledger.entries();
    console.log(`server billing records: ${billed.data.length}, client ledger entries: ${ledger.length}`);
  }
} finally {
  await client.close();
  await target.close();
}
