import type { ServerResponse } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AiaasClient,
  Budget,
  BudgetExceededError,
  buildCostReport,
  estimatePromptTokens,
  formatCostReportCsv,
  Ledger,
  MemoryLedgerStore,
  Money,
  PriceCatalog,
  tensor,
  UnpricedModelError,
  ValidationError,
} from '../../src/index.js';
import { arrivalGate } from '../support/arrival-gate.js';
import { useDialectTestServer } from '../support/dialect-server-fixture.js';
import { type RecordedRequest, sendJson } from '../support/dialect-test-server.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';

/** The reference server's default rate card, as `GET /v1/pricing` will publish it. */
const serverPricing = {
  currency: 'USD',
  effective_from: '2025-01-01',
  models: {
    'ref-chat': { per_token: { input_per_million: '0.50', output_per_million: '1.50' } },
    'ref-embed': { per_mb_in: '0.10', per_mb_out: '0.02' },
    'ref-classify': { per_compute_second: '0.0004', per_request: '0.00001' },
    m: { per_token: { input_per_million: '1', output_per_million: '2' } },
    'm-big': { per_token: { input_per_million: '100', output_per_million: '300' } },
  },
};
const pricing = PriceCatalog.fromServerPricing(serverPricing);
const perMillion = (rate: string, count: number) =>
  Money.of(rate, 'USD').times(String(count)).dividedBy(1_000_000n);

describe('cost against aiaas/server', () => {
  const reference = useTestReferenceServer({ pricing, tags: { app: 'tests' } });
  let client: AiaasClient;
  const messages = [{ role: 'user' as const, content: 'What did the President say about the economy?' }];

  beforeAll(() => {
    client = reference.client();
  });

  it('records one ledger entry per call, with the usage buckets and the exact cost', async () => {
    const { data, usage, cost, response } = await client.chat.completions
      .create({ model: 'ref-chat', messages, max_tokens: 16 }, { tags: { team: 'search' } })
      .withResponse();
    const prompt = data.usage!.prompt_tokens;
    const output = data.usage!.completion_tokens;
    expect(usage?.inputTokens).toEqual({ value: prompt, provenance: 'reported' });
    expect(usage?.outputTokens).toEqual({ value: output, provenance: 'reported' });
    expect(usage?.requests.value).toBe(1);
    expect(usage?.bytesIn.value).toBe(response.bodyBytes?.sent);
    expect(usage?.bytesOut.value).toBe(response.bodyBytes?.received);
    const expected = perMillion('0.50', prompt).plus(perMillion('1.50', output));
    expect(cost?.equals(expected)).toBe(true);
    const entries = await client.ledger.entries({ requestId: response.requestId as string });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      model: 'ref-chat',
      provider: 'openai',
      attempt: 1,
      status: 'ok',
      tags: { app: 'tests', team: 'search' },
    });
    expect(entries[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries[0]?.cost?.equals(expected)).toBe(true);
  });

  it('quotes a range that contains the actual cost (exact count from /tokenize)', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 20, seed: 3 };
    const exact = await client.quote(params, { exact: true });
    const estimated = await client.quote(params);
    const { data, cost } = await client.chat.completions.create(params).withResponse();
    expect(exact.provenance).toBe('reported');
    expect(exact.promptTokens).toBe(data.usage?.prompt_tokens);
    expect(estimated.provenance).toBe('estimated');
    expect(exact.min.compare(cost!)).toBeLessThanOrEqual(0);
    expect(cost!.compare(exact.max)).toBeLessThanOrEqual(0);
    expect(exact.max.equals(exact.min.plus(perMillion('1.50', 20)))).toBe(true);
  });

  it('prices embeddings by the bytes exchanged, and OIP inference by its tensor elements', async () => {
    const { usage, cost, response } = await client.embeddings
      .create({ model: 'ref-embed', input: ['a union', 'of states'] })
      .withResponse();
    const bytes = response.bodyBytes!;
    expect(bytes.sent).toBe(
      Buffer.byteLength(JSON.stringify({ model: 'ref-embed', input: ['a union', 'of states'] })),
    );
    expect(usage?.bytesOut.value).toBe(bytes.received);
    expect(cost?.equals(perMillion('0.10', bytes.sent).plus(perMillion('0.02', bytes.received)))).toBe(true);

    const oip = new AiaasClient({
      provider: 'oip',
      baseURL: reference.url,
      apiKey: reference.apiKey,
      pricing,
      ledger: client.ledger,
      logLevel: 'off',
    });
    const inferred = await oip.inference
      .infer('ref-classify', [tensor('input', new Float32Array(200), [2, 100])])
      .withResponse();
    await oip.close();
    expect(inferred.usage?.tensorElements.value).toBe(200);
    // ref-classify is priced per request and per compute-second; the server reports its compute.
    const computeMs = inferred.usage!.computeMs.value;
    expect(inferred.usage?.computeMs.provenance).toBe('reported');
    const computeCost = Money.of('0.0004', 'USD').times(String(computeMs)).dividedBy(1000n);
    expect(inferred.cost?.equals(Money.of('0.00001', 'USD').plus(computeCost))).toBe(true);
    const [entry] = await client.ledger.entries({ provider: 'oip' });
    expect(entry?.model).toBe('ref-classify');
  });

  it('sums to the same totals in the ledger and in a cost report', async () => {
    const totals = await client.ledger.total();
    const report = buildCostReport(await client.ledger.entries(), { by: ['model'] });
    expect(report.totals.USD?.equals(totals.USD as Money)).toBe(true);
    const byModel = Object.fromEntries(report.rows.map((row) => [row.group.model, row]));
    expect(Object.keys(byModel).sort()).toEqual(['ref-chat', 'ref-classify', 'ref-embed']);
    const chatTotal = (await client.ledger.total({ model: 'ref-chat' })).USD as Money;
    expect(byModel['ref-chat']?.total?.equals(chatTotal)).toBe(true);
    expect(formatCostReportCsv(report)).toContain('ref-chat');
  });
});

describe('cost against a local server', () => {
  const { server, client: newClient } = useDialectTestServer({ apiKey: 'k', pricing });
  const params = { model: 'm', messages: [{ role: 'user' as const, content: 'Say hi' }], max_tokens: 4 };

  /** A chat answer whose usage is counted like OpenAI does (o200k plus framing), with `output` tokens. */
  function answer(output: number, gate?: () => Promise<void>) {
    return async (request: RecordedRequest, response: ServerResponse) => {
      const body = JSON.parse(request.body) as {
        model: string;
        messages: { role: string; content: string }[];
      };
      await gate?.();
      const prompt = estimatePromptTokens(body.messages);
      sendJson(response, 200, {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output },
      });
    };
  }

  it('a hard budget fails closed before any socket is opened', async () => {
    server.route('POST', '/v1/chat/completions', answer(1));
    const budget = new Budget({ limits: [{ limit: Money.of('0.000001', 'USD') }] });
    const client = newClient({ budget });
    const before = server.connections;
    await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(client.chat.completions.stream(params)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(client.chat.completions.create({ ...params, max_tokens: undefined })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(server.connections).toBe(before);
    expect(server.requests).toHaveLength(0);
    expect(await client.ledger.entries()).toHaveLength(0);
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
  });

  it('100 concurrent calls through one client never overspend a hard budget', async () => {
    // Answers wait until 12 calls are in at once, so the reservations surely overlap.
    server.route('POST', '/v1/chat/completions', answer(2, arrivalGate(12)));
    const quote = await newClient().quote(params);
    const limit = quote.max.times('12.5');
    const budget = new Budget({ limits: [{ limit }] });
    const client = newClient({ budget, maxRetries: 0 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () => client.chat.completions.create(params).withResponse()),
    );
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && outcome.reason instanceof BudgetExceededError,
    );
    expect(succeeded.length + refused.length).toBe(100);
    // Each reservation is the quote's max; at least floor(12.5) of them always fit.
    expect(succeeded.length).toBeGreaterThanOrEqual(12);
    expect(refused.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(succeeded.length);
    const [status] = await budget.status();
    const spent = (await client.ledger.total()).USD as Money;
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.equals(spent)).toBe(true);
    expect(spent.compare(limit)).toBeLessThanOrEqual(0);
  });

  it('quote() prices what a budgeted call reserves: request bytes and the declared ceilings included', async () => {
    const everything = PriceCatalog.fromServerPricing({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: {
        'm-all': {
          per_token: { input_per_million: '1', output_per_million: '2' },
          per_mb_in: '0.5',
          per_mb_out: '0.25',
          per_compute_second: '0.001',
          per_request: '0.000001',
        },
      },
    });
    const costBounds = { 'm-*': { maxInputBytes: 4_000, maxOutputBytes: 90_000, maxComputeMs: 2_500 } };
    // Each call is held until its reservation has been read.
    let release: () => void = () => undefined;
    let held = Promise.resolve();
    const answered = answer(2);
    server.route('POST', '/v1/chat/completions', async (request, response) => {
      await held;
      await answered(request, response);
    });
    server.route('POST', '/v1/completions', async (_request, response) => {
      await held;
      sendJson(response, 200, {
        id: 't',
        object: 'text_completion',
        created: 1,
        model: 'm-all',
        choices: [{ index: 0, text: 'hi', finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    });
    const budget = new Budget({ limits: [{ limit: Money.of('100', 'USD'), mode: 'hard' }] });
    const client = newClient({ pricing: everything, budget, costBounds });
    const chatParams = { ...params, model: 'm-all', n: 2 };
    const completionParams = { model: 'm-all', prompt: ['Say hi', 'and bye'], max_tokens: 5 };
    for (const [quoted, call] of [
      [await client.quote(chatParams), () => client.chat.completions.create(chatParams)],
      [await client.quote(completionParams), () => client.completions.create(completionParams)],
    ] as const) {
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tokensOnly = perMillion('1', quoted.promptTokens).plus(perMillion('2', quoted.maxOutputTokens));
      expect(quoted).toMatchObject({ bytesIn: 4_000, maxOutputBytes: 90_000, maxComputeMs: 2_500 });
      // The request bytes count in the minimum; the response bytes and compute (2.5 s) in the maximum.
      const request = Money.of('0.000001', 'USD');
      expect(quoted.min.compare(perMillion('1', quoted.promptTokens).plus(request))).toBe(1);
      expect(quoted.max.compare(tokensOnly.plus(request).plus(Money.of('0.0025', 'USD')))).toBe(1);
      const pending = call();
      await expect.poll(async () => (await budget.status())[0]?.reserved.isZero()).toBe(false);
      const [reserving] = await budget.status();
      expect(
        reserving?.reserved.equals(quoted.max),
        `${reserving?.reserved} reserved, ${quoted.max} quoted`,
      ).toBe(true);
      release();
      await pending;
    }
  });

  it('an unpriced model is an error before sending; a declared fallback prices it', async () => {
    server.route('POST', '/v1/chat/completions', answer(3));
    const before = server.connections;
    const strict = newClient();
    const error = await strict.chat.completions
      .create({ ...params, model: 'unlisted' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnpricedModelError);
    expect(error).toMatchObject({ model: 'unlisted' });
    expect(server.connections).toBe(before);

    const lenient = newClient({
      pricing: PriceCatalog.fromServerPricing(serverPricing, { fallback: { card: 'm' } }),
    });
    const { cost, usage } = await lenient.chat.completions
      .create({ ...params, model: 'unlisted' })
      .withResponse();
    expect(cost?.equals(pricing.cost('m', usage!).total)).toBe(true);
    expect(cost?.isPositive()).toBe(true);
  });

  it('without pricing, usage is recorded with cost null (never a made-up zero)', async () => {
    server.route('POST', '/v1/chat/completions', answer(3));
    const store = new MemoryLedgerStore();
    const client = newClient({ pricing: undefined, ledger: new Ledger({ store }), apiKeyId: 'key_7' });
    const { cost, usage } = await client.chat.completions.create(params).withResponse();
    expect(cost).toBeNull();
    expect(usage?.outputTokens.value).toBe(3);
    const [entry] = await store.entries({});
    expect(entry).toMatchObject({ cost: null, apiKeyId: 'key_7', status: 'ok' });
    expect(entry?.usage.outputTokens.value).toBe(3);
  });

  it("loads 'server' pricing once, lazily, from GET /v1/pricing", async () => {
    server.route('POST', '/v1/chat/completions', answer(2));
    server.route('GET', '/v1/pricing', (_request, response) => sendJson(response, 200, serverPricing));
    const client = newClient({ pricing: 'server' });
    expect(server.requests).toHaveLength(0);
    const costs = await Promise.all(
      [1, 2, 3].map(() => client.chat.completions.create(params).withResponse()),
    );
    const pricingLoads = server.requests.filter((request) => request.path === '/v1/pricing');
    expect(pricingLoads).toHaveLength(1);
    for (const { cost, usage } of costs) expect(cost?.equals(pricing.cost('m', usage!).total)).toBe(true);
  });

  it('budget scopes follow tags and the API key id', async () => {
    server.route('POST', '/v1/chat/completions', answer(1));
    const budget = new Budget({
      limits: [
        { scope: 'tag:team=frugal', limit: Money.of('0', 'USD') },
        { scope: 'key:key_1', limit: Money.of('1', 'USD') },
      ],
    });
    const client = newClient({ budget, apiKeyId: 'key_1', tags: { team: 'generous' } });
    await expect(client.chat.completions.create(params, { tags: { team: 'frugal' } })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    const { cost } = await client.chat.completions.create(params).withResponse();
    const statuses = await budget.status();
    expect(statuses.find((status) => status.limit.scope === 'key:key_1')?.spent.equals(cost!)).toBe(true);
    expect(statuses.find((status) => status.limit.scope === 'tag:team=frugal')?.spent.isZero()).toBe(true);
  });

  describe('per-MB priced embeddings under a hard budget', () => {
    const perMegabyte = PriceCatalog.fromServerPricing({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: { 'e-mb': { per_mb_in: '0.10', per_mb_out: '20' } },
    });
    // Responses of several sizes; the declared bound is the largest, a true upper bound.
    const bodies = [4, 64, 256, 16].map((dimensions) =>
      JSON.stringify({
        object: 'list',
        data: [
          {
            object: 'embedding',
            index: 0,
            embedding: Array.from({ length: dimensions }, () => -0.123456789),
          },
        ],
        model: 'e-mb',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      }),
    );
    const maxOutputBytes = Math.max(...bodies.map((body) => Buffer.byteLength(body)));
    const request = { model: 'e-mb', input: 'Say hi' };

    /** Answers wait until `together` calls are in at once. */
    function routeEmbeddings(together: number): void {
      let served = 0;
      const gate = arrivalGate(together);
      server.route('POST', '/v1/embeddings', async (_request: RecordedRequest, response: ServerResponse) => {
        const body = bodies[served++ % bodies.length] as string;
        await gate();
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    }

    it('100 concurrent calls with a declared response-byte bound never overspend', async () => {
      // As many as the limit lets through at once, so their reservations surely overlap.
      routeEmbeddings(20);
      const bytesIn = Buffer.byteLength(JSON.stringify(request));
      const perCallMax = perMillion('0.10', bytesIn).plus(perMillion('20', maxOutputBytes));
      const limit = perCallMax.times('20.5');
      const budget = new Budget({ limits: [{ limit, mode: 'hard' }] });
      const client = newClient({
        pricing: perMegabyte,
        budget,
        maxRetries: 0,
        costBounds: { 'e-*': { maxOutputBytes } },
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, () => client.embeddings.create(request).withResponse()),
      );
      const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.filter(
        (outcome) => outcome.status === 'rejected' && outcome.reason instanceof BudgetExceededError,
      );
      expect(succeeded.length + refused.length).toBe(100);
      expect(succeeded.length).toBeGreaterThanOrEqual(20);
      expect(refused.length).toBeGreaterThan(0);
      expect(server.requests).toHaveLength(succeeded.length);
      // The calls were really billed per byte out, and some responses were smaller than the bound.
      const received = succeeded.map((outcome) => outcome.value.response.bodyBytes?.received ?? 0);
      expect(Math.max(...received)).toBe(maxOutputBytes);
      expect(Math.min(...received)).toBeLessThan(maxOutputBytes);
      const [status] = await budget.status();
      const spent = (await client.ledger.total()).USD as Money;
      expect(status?.reserved.isZero()).toBe(true);
      expect(status?.spent.equals(spent)).toBe(true);
      expect(spent.compare(limit)).toBeLessThanOrEqual(0);
    });

    it('an undeclared bound is refused before any socket opens; soft limits and no budget are unaffected', async () => {
      routeEmbeddings(1);
      const before = server.connections;
      const budget = new Budget({ limits: [{ limit: Money.of('100', 'USD'), mode: 'hard' }] });
      const client = newClient({ pricing: perMegabyte, budget });
      const error = await client.embeddings.create(request).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'unbounded_cost', retryable: false });
      expect((error as Error).message).toMatch(/maxOutputBytes.*costBounds/s);
      expect(server.connections).toBe(before);
      expect(server.requests).toHaveLength(0);
      expect(await client.ledger.entries()).toHaveLength(0);
      const [status] = await budget.status();
      expect(status?.reserved.isZero()).toBe(true);

      const soft = newClient({
        pricing: perMegabyte,
        budget: new Budget({ limits: [{ limit: Money.of('100', 'USD'), mode: 'soft' }] }),
      });
      await soft.embeddings.create(request);
      await newClient({ pricing: perMegabyte }).embeddings.create(request);
      expect(server.requests).toHaveLength(2);
    });
  });
});
