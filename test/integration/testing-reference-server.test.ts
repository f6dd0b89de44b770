import { describe, expect, it } from 'vitest';
import { chat } from '../../src/builders/chat-builder.js';
import { Money } from '../../src/cost/money.js';
import { makeUsage } from '../../src/cost/usage.js';
import { AuthenticationError } from '../../src/errors/index.js';
import {
  BillingMismatchError,
  expectBilled,
  fault,
  faultHeaders,
  type TestRunnerHooks,
  useReferenceServer,
} from '../../src/testing/index.js';

// useReferenceServer as an app's test file uses it: called at the top, read inside tests.
// A second key is a second tenant, with a bill of its own for the reconciliation test.
const billingKey = 'sk-billing-tenant';
const reference = useReferenceServer({
  seed: 7,
  apiKeys: [billingKey],
  client: { maxRetries: 0, logLevel: 'off' },
});

/** Hooks that are only recorded, so a test can run a fixture's lifecycle itself, step by step. */
function recordedHooks() {
  const registered: { before: (() => unknown)[]; after: (() => unknown)[] } = { before: [], after: [] };
  const hooks: TestRunnerHooks = {
    beforeAll: (hook) => registered.before.push(hook),
    afterAll: (hook) => registered.after.push(hook),
  };
  return { hooks, registered };
}

describe('useReferenceServer', () => {
  it('serves on a free local port, with the key the fixture reports', async () => {
    expect(reference.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(reference.server.port).toBe(Number(new URL(reference.url).port));
    expect(reference.apiKey).toBe('sk-aiaas-test');
    const withKey = await fetch(`${reference.url}/v1/models`, {
      headers: { authorization: `Bearer ${reference.apiKey}` },
    });
    expect(withKey.status).toBe(200);
    expect((await fetch(`${reference.url}/v1/models`)).status).toBe(401);
  });

  it('gives one shared client, and a new one per set of options', async () => {
    const client = reference.client();
    expect(reference.client()).toBe(client);
    const completion = await client.chat.completions.create(chat('ref-chat').user('jobs').maxTokens(4));
    expect(completion.usage?.completion_tokens).toBe(4);
    const wrongKey = reference.client({ apiKey: 'sk-someone-else' });
    expect(wrongKey).not.toBe(client);
    await expect(wrongKey.models.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('applies the server options (the seed makes answers reproducible)', async () => {
    const request = chat('ref-chat').user('health care').maxTokens(8);
    const first = await reference.client().chat.completions.create(request);
    const second = await reference.client().chat.completions.create(request);
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
  });

  it("runs on another runner's hooks, closing the server and its clients after", async () => {
    const { hooks, registered } = recordedHooks();
    const fixture = useReferenceServer({ hooks, apiKeys: ['sk-second'] });
    expect(() => fixture.url).toThrow(/starts in beforeAll .* inside a test or hook/);
    expect(registered.before).toHaveLength(1);
    await registered.before[0]!();
    const { url } = fixture;
    const models = await fixture.client().models.list();
    expect(models.data.map((model) => model.id)).toContain('ref-chat');
    const second = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-second' } });
    expect(second.status).toBe(200);
    await registered.after[0]!();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(() => fixture.client()).toThrow(/starts in beforeAll/);
  });

  it('reconciles faulted calls with the server bill, and catches a ledger entry the server never billed', async () => {
    const client = reference.client({ apiKey: billingKey, pricing: 'server', maxRetries: 2 });
    const retried = await client.chat.completions
      .create(chat('ref-chat').user('jobs').maxTokens(5), {
        headers: faultHeaders(fault.status(503, { times: 1 })),
      })
      .withResponse();
    expect(retried.attempts).toBe(2);
    const stream = await client.chat.completions.stream(chat('ref-chat').user('health care').maxTokens(6), {
      headers: faultHeaders(fault.dropAfter(2, { times: 1 })),
    });
    expect((await stream.final()).resumed).toBe(1);
    await client.embeddings.create({ model: 'ref-embed', input: ['jobs', 'health care'] });
    const billed = { url: reference.url, apiKey: billingKey };
    const result = await expectBilled(client.ledger, billed);
    expect(result.counts).toMatchObject({ matched: 3, different: 0, 'missing-in-ledger': 0 });
    expect(result.totals.ledger.USD?.isZero()).toBe(false);

    await client.ledger.append({
      requestId: 'req_never_sent',
      model: 'ref-chat',
      provider: 'openai',
      status: 'ok',
      usage: makeUsage({ inputTokens: 3, outputTokens: 1, requests: 1 }),
      cost: Money.of('0.000002', 'USD'),
    });
    const error = await expectBilled(client.ledger, billed, { settleMs: 100 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BillingMismatchError);
    expect((error as Error).message).toContain(
      '- call req_never_sent (request req_never_sent): in the ledger, not billed by the server',
    );
  });
});
