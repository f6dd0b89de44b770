import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AiaasClient,
  Budget,
  BudgetExceededError,
  ConnectionError,
  Money,
  PriceCatalog,
  TimeoutError,
} from '../../src/index.js';
import { type DialectTestServer, sendJson, startDialectTestServer } from '../support/dialect-test-server.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

const params = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'What did the President say about the economy?' }],
  max_tokens: 100,
};
// The server answers long after the client gives up; the gap is wide so that even a loaded
// machine delivers each request before its client leaves (else it is, rightly, never billed).
const slowAnswer = { headers: { 'x-aiaas-fault': 'delay_ms=2500' } };

/** The server's own billing: its records and its total, in USD. */
async function serverBilled(url: string): Promise<{ records: number; total: Money }> {
  const usage = await fetchServerUsage(url);
  return { records: usage.data.length, total: Money.of(usage.totals.USD ?? '0', 'USD') };
}

async function budgetHeld(budget: Budget): Promise<{ spent: Money; reserved: Money }> {
  const [status] = await budget.status();
  if (status === undefined) throw new Error('the budget has no limit');
  return { spent: status.spent, reserved: status.reserved };
}

describe('calls that fail after their request may have reached the provider (issue 15)', () => {
  const server = useTestReferenceServer({ pricing: 'server', maxRetries: 0, timeout: 1_000 });

  it('30 timed-out calls under a hard limit: the budget holds what the server billed, and the ledger matches it exactly', async () => {
    const limit = Money.of('0.0005', 'USD');
    const budget = new Budget({ limits: [{ limit, mode: 'hard' }] });
    const client = server.client({ budget });
    try {
      const outcomes: unknown[] = [];
      for (let call = 0; call < 30; call++) {
        outcomes.push(
          await client.chat.completions.create(params, slowAnswer).then(
            () => 'ok',
            (error: unknown) => error,
          ),
        );
        // At every point, what the budget counts covers what the server has billed so far.
        const held = await budgetHeld(budget);
        const billed = await serverBilled(server.url);
        expect(held.spent.plus(held.reserved).compare(billed.total)).toBeGreaterThanOrEqual(0);
      }
      const timedOut = outcomes.filter((outcome) => outcome instanceof TimeoutError);
      const refused = outcomes.filter((outcome) => outcome instanceof BudgetExceededError);
      expect(timedOut.length + refused.length).toBe(30);
      expect(timedOut.length).toBeGreaterThan(0);
      // The holds of unanswered calls count against the limit: later calls are refused unsent.
      expect(refused.length).toBeGreaterThan(0);

      await vi.waitFor(
        async () => {
          const billed = await serverBilled(server.url);
          expect(billed.records).toBe(timedOut.length);
          const held = await budgetHeld(budget);
          expect(held.reserved.isZero()).toBe(true);
          expect(held.spent.equals(billed.total)).toBe(true);
          const ledgerTotal = (await client.ledger.total()).USD;
          expect(ledgerTotal?.equals(billed.total)).toBe(true);
        },
        { timeout: 15_000, interval: 100 },
      );
      const billed = await serverBilled(server.url);
      // Never past the limit (the bug let the server bill 8.8 times it).
      expect(billed.total.compare(limit)).toBeLessThanOrEqual(0);
      const entries = await client.ledger.entries();
      expect(entries).toHaveLength(timedOut.length);
      for (const entry of entries) {
        expect(entry.status).toBe('error');
        expect(entry.usage.outputTokens.provenance).toBe('reported');
      }
      // With the held amounts settled at what was billed, the limit still refuses what does not fit.
      const quote = await client.quote(params);
      const held = await budgetHeld(budget);
      if (held.spent.plus(quote.max).compare(limit) > 0) {
        await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(BudgetExceededError);
      }
    } finally {
      await client.close();
      await budget.close();
    }
  });

  it('a call that could not connect releases its reservation and records nothing', async () => {
    const refusing = await startDialectTestServer();
    const url = refusing.url;
    await refusing.close();
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'hard' }] });
    const client = new AiaasClient({
      baseURL: url,
      apiKey: 'sk-test',
      pricing: PriceCatalog.fromServerPricing(await (await fetch(`${server.url}/v1/pricing`)).json()),
      budget,
      maxRetries: 0,
      logLevel: 'off',
    });
    try {
      await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(ConnectionError);
      await client.settled();
      const held = await budgetHeld(budget);
      expect(held.reserved.isZero()).toBe(true);
      expect(held.spent.isZero()).toBe(true);
      expect(await client.ledger.entries()).toHaveLength(0);
    } finally {
      await client.close();
      await budget.close();
    }
  });

  it('a streamed call that times out before its first token is held and resolved like a JSON call', async () => {
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'hard' }] });
    const client = server.client({ budget });
    const idempotencyKey = `stream-timeout-${Date.now()}`;
    try {
      await expect(
        client.chat.completions.stream({ ...params, stream: true }, { ...slowAnswer, idempotencyKey }),
      ).rejects.toBeInstanceOf(TimeoutError);
      // Held, not released, while the server may be billing it.
      expect((await budgetHeld(budget)).reserved.isZero()).toBe(false);
      await client.settled();
      const response = await fetch(`${server.url}/v1/usage?idempotency_key=${idempotencyKey}`, {
        headers: { authorization: 'Bearer sk-test' },
      });
      const body = (await response.json()) as { data: unknown[]; totals: Record<string, string> };
      expect(body.data).toHaveLength(1);
      const billed = Money.of(body.totals.USD ?? '0', 'USD');
      const [entry] = await client.ledger.entries({ idempotencyKey });
      expect(entry?.cost?.equals(billed)).toBe(true);
      const held = await budgetHeld(budget);
      expect(held.reserved.isZero()).toBe(true);
      expect(held.spent.equals(billed)).toBe(true);
    } finally {
      await client.close();
      await budget.close();
    }
  });
});

describe('a provider with no billing record per request', () => {
  let slow: DialectTestServer;

  beforeAll(async () => {
    slow = await startDialectTestServer();
    // An OpenAI-compatible server that answers late and has no `/v1/usage`.
    slow.route('POST', '/v1/chat/completions', (_request, response) => {
      const timer = setTimeout(
        () =>
          sendJson(response, 200, {
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 0,
            model: 'ref-chat',
            choices: [{ index: 0, message: { role: 'assistant', content: 'late' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
          }),
        300,
      );
      response.on('close', () => clearTimeout(timer));
    });
  });

  afterAll(async () => {
    await slow.close();
  });

  it('a timed-out call is charged its reservation, as an estimated entry, after the bounded wait', async () => {
    const pricing = PriceCatalog.fromServerPricing({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: { 'ref-chat': { per_token: { input_per_million: '0.50', output_per_million: '1.50' } } },
    });
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'hard' }] });
    const client = new AiaasClient({
      baseURL: `${slow.url}/v1`,
      apiKey: 'sk-test',
      pricing,
      budget,
      maxRetries: 0,
      timeout: 150,
      uncertainChargeWaitMs: 200,
      logLevel: 'off',
    });
    try {
      const quote = await client.quote(params);
      await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(TimeoutError);
      await vi.waitFor(async () => expect(await client.ledger.entries()).toHaveLength(1), { timeout: 5_000 });
      const [entry] = await client.ledger.entries();
      expect(entry?.status).toBe('error');
      expect(entry?.cost?.equals(quote.max)).toBe(true);
      expect(entry?.usage.outputTokens).toEqual({ value: params.max_tokens, provenance: 'estimated' });
      const held = await budgetHeld(budget);
      expect(held.reserved.isZero()).toBe(true);
      expect(held.spent.equals(quote.max)).toBe(true);
    } finally {
      await client.close();
      await budget.close();
    }
  });
});
