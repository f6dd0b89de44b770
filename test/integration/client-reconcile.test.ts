import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient, buildCostReport, Money, parseServerUsage, reconcile, tensor } from '../../src/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;
let client: AiaasClient;
let oip: AiaasClient;
const messages = [{ role: 'user' as const, content: 'What did the President say about the economy?' }];

async function serverUsage() {
  const response = await fetch(`${server.url}/v1/usage`, { headers: { authorization: 'Bearer sk-test' } });
  return parseServerUsage(await response.json());
}

/** Everything the client recorded so far against everything the server billed: no difference at all. */
async function expectReconciled(): Promise<void> {
  const entries = await client.ledger.entries();
  const billed = await serverUsage();
  const result = reconcile(entries, billed);
  const different = result.groups.filter((group) => group.status !== 'matched');
  expect(different.map((group) => ({ key: group.key, status: group.status, ...group.usage }))).toEqual([]);
  expect(result.zeroDifference).toBe(true);
  const report = buildCostReport(entries, { by: ['model'] });
  const serverTotals = Object.fromEntries(
    Object.entries(billed.totals).map(([currency, amount]) => [currency, Money.of(amount, currency)]),
  );
  expect(Object.keys(report.totals).sort()).toEqual(Object.keys(serverTotals).sort());
  for (const [currency, total] of Object.entries(serverTotals)) {
    expect(report.totals[currency]?.equals(total), `${currency} report total`).toBe(true);
  }
}

beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    seed: 42,
    apiKeys: ['sk-test'],
    logger: silentServerLogger,
  });
  client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-test', pricing: 'server', logLevel: 'off' });
  oip = new AiaasClient({
    provider: 'oip',
    baseURL: server.url,
    apiKey: 'sk-test',
    pricing: 'server',
    ledger: client.ledger,
    logLevel: 'off',
  });
});
afterAll(async () => {
  await oip.close();
  await client.close();
  await server.close();
});

describe('a client ledger reconciled with aiaas/server on every field', () => {
  it('JSON chat, completion, embedding and OIP calls, with the compute the server reports', async () => {
    const chatCall = await client.chat.completions
      .create({ model: 'ref-chat', messages, max_tokens: 12, seed: 1 })
      .withResponse();
    expect(chatCall.usage?.computeMs).toEqual({
      value: (chatCall.data.usage as { compute_ms?: number }).compute_ms,
      provenance: 'reported',
    });
    expect(chatCall.usage?.computeMs.value).toBeGreaterThan(0);
    await client.completions.create({ model: 'ref-chat', prompt: 'The union is', max_tokens: 8, seed: 2 });
    await client.embeddings.create({ model: 'ref-embed', input: ['a union', 'of states'] });
    const inferred = await oip.inference
      .infer('ref-classify', [tensor('input', new Float32Array(200), [2, 100])])
      .withResponse();
    expect(inferred.usage?.computeMs.value).toBe(inferred.data.parameters?.compute_ms);
    expect(inferred.data.parameters?.tensor_elements).toBe(200);
    await expectReconciled();
  });

  it('a completed stream and a stream dropped after 3 events and resumed, bytes included', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 16, seed: 4 };
    const completed = await (await client.chat.completions.stream(params)).final();
    expect(completed.usageBuckets.bytesOut.value).toBeGreaterThan(0);
    expect(completed.usageBuckets.bytesIn.value).toBeGreaterThan(0);
    const stream = await client.chat.completions.stream(params, {
      headers: { 'x-aiaas-fault': 'drop_after=3;times=1' },
      idempotencyKey: 'reconcile-drop-3',
    });
    const resumed = await stream.final();
    expect(resumed.resumed).toBe(1);
    expect(resumed.usageBuckets.bytesOut.provenance).toBe('reported');
    await client.completions
      .stream({ model: 'ref-chat', prompt: 'The union is', max_tokens: 8, seed: 5 })
      .then((text) => text.final());
    await expectReconciled();
  });
});
