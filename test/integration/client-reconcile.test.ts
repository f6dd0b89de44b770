import { beforeAll, describe, expect, it } from 'vitest';
import { type AiaasClient, Budget, buildCostReport, Money, reconcile, tensor } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { fault, faultHeader } from '../../src/testing/fault-header-builder.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

let server: ReferenceServer;
let client: AiaasClient;
let oip: AiaasClient;
const messages = [{ role: 'user' as const, content: 'What did the President say about the economy?' }];

const reference = useTestReferenceServer({ pricing: 'server' });
const serverUsage = () => fetchServerUsage(server.url);

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

beforeAll(() => {
  server = reference.server;
  client = reference.client();
  oip = reference.client({ provider: 'oip', ledger: client.ledger });
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

describe('aborted and broken streams reconciled at what the server billed (it cancels them)', () => {
  // Long enough to be mid-generation when the consumer leaves; the delay keeps it so on a fast machine.
  const long = { model: 'ref-chat', messages, max_tokens: 96, seed: 7 };
  const slow = { headers: { 'x-aiaas-fault': faultHeader(fault.chunkDelay(15)) } };

  /** Reads until 3 text chunks arrived, then leaves the way `how` says; resolves once the entry is written. */
  async function leaveAfterThree(how: 'break' | 'abort' | 'signal', idempotencyKey: string): Promise<void> {
    const controller = new AbortController();
    const stream = await client.chat.completions.stream(long, {
      ...slow,
      idempotencyKey,
      ...(how === 'signal' ? { signal: controller.signal } : {}),
    });
    let texts = 0;
    try {
      for await (const event of stream) {
        if (event.type === 'text-delta') texts += 1;
        if (texts < 3) continue;
        if (how === 'break') break;
        if (how === 'abort') stream.abort();
        else controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toBe('AbortError');
    }
    expect(texts).toBe(3);
    // Settles only once the ledger entry is written, cancel round trip included.
    await expect(stream.final()).rejects.toThrow();
  }

  async function entryOf(idempotencyKey: string) {
    const entries = await client.ledger.entries({ idempotencyKey });
    expect(entries).toHaveLength(1);
    return entries[0];
  }

  it.each(['break', 'abort', 'signal'] as const)('a stream left by %s after 3 text chunks', async (how) => {
    const key = `reconcile-${how}`;
    await leaveAfterThree(how, key);
    const entry = await entryOf(key);
    expect(entry?.status).toBe('aborted');
    expect(entry?.usage.outputTokens.provenance).toBe('reported');
    expect(entry?.usage.computeMs.value).toBeGreaterThan(0);
    const [record] = (await serverUsage()).data.filter((billed) => billed.idempotency_key === key);
    expect(record?.usage.output_tokens).toBe(entry?.usage.outputTokens.value);
    await expectReconciled();
  });

  it('a stream cut with its resumes exhausted (maxResumes 0; drop_after cuts only the opening connection)', async () => {
    const stream = await client.chat.completions.stream(long, {
      headers: { 'x-aiaas-fault': faultHeader(fault.dropAfter(2)) },
      idempotencyKey: 'reconcile-resumes-exhausted',
      maxResumes: 0,
    });
    await expect(stream.final()).rejects.toMatchObject({ name: 'StreamError' });
    const entry = await entryOf('reconcile-resumes-exhausted');
    expect(entry?.status).toBe('error');
    expect(entry?.usage.outputTokens.provenance).toBe('reported');
    await expectReconciled();
  });

  it('a budgeted stream left early settles its reservation with the billed cost', async () => {
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD') }] });
    const budgeted = reference.client({ ledger: client.ledger, budget });
    try {
      const stream = await budgeted.chat.completions.stream(long, {
        ...slow,
        idempotencyKey: 'reconcile-budget',
      });
      for await (const event of stream) if (event.type === 'text-delta') break;
      await expect(stream.final()).rejects.toThrow();
      const entry = await entryOf('reconcile-budget');
      const [status] = await budget.status();
      expect(entry?.usage.outputTokens.provenance).toBe('reported');
      expect(status?.reserved.isZero()).toBe(true);
      expect(entry?.cost !== null && status?.spent.equals(entry?.cost as Money)).toBe(true);
    } finally {
      await budgeted.close();
    }
    await expectReconciled();
  });

  it('a mixed run — completed, retried, resumed, aborted — to the unit', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 24, seed: 9 };
    await (await client.chat.completions.stream(params)).final();
    const retried = await client.chat.completions.stream(params, {
      headers: { 'x-aiaas-fault': faultHeader(fault.status(503, { retryAfterMs: 1, times: 1 })) },
    });
    await retried.final();
    expect(retried.attempts).toBe(2);
    const resumed = await (
      await client.chat.completions.stream(params, {
        headers: { 'x-aiaas-fault': faultHeader(fault.dropAfter(3, { times: 1 })) },
      })
    ).final();
    expect(resumed.resumed).toBe(1);
    await leaveAfterThree('break', 'reconcile-mixed-aborted');
    await client.chat.completions.create({ ...params, seed: 10 });
    const statuses = (await client.ledger.entries()).map((entry) => entry.status);
    expect(statuses).toContain('aborted');
    expect(statuses).toContain('ok');
    await expectReconciled();
  });
});
