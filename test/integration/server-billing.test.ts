import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArguments } from '../../src/cli/serve-command.js';
import { Money, normalizeAiaasUsage, PriceCatalog } from '../../src/cost/index.js';
import { tenantIdForKey } from '../../src/server/auth/tenant-id.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { hashedBagOfWords } from '../../src/server/models/sentiment-features.js';
import { serverPricingSchema } from '../../src/wire/aiaas/server-pricing-schemas.js';
import { type ServerUsageRecord, serverUsageListSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import { bearer, eventsOf, longChat, rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';
import { affineModel, writeRepositoryModel } from './server-test-models.js';

const directory = mkdtempSync(join(tmpdir(), 'aiaas-billing-'));
const repository = join(directory, 'repository');
const [alice, bob] = ['sk-billing-alice', 'sk-billing-bob'];
let server: ReferenceServer;
beforeAll(async () => {
  writeRepositoryModel(repository, 'affine', '1', affineModel(2, 1));
  server = await startReferenceServer({
    port: 0,
    seed: 2,
    apiKeys: [alice, bob],
    modelsDir: repository,
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const usageList = async (url: string, key: string, query = '') => {
  const answer = await requestJson(`${url}/v1/usage${query}`, { headers: bearer(key) });
  expect(answer.status).toBe(200);
  return serverUsageListSchema.parse(answer.body);
};
const classifyBody = (rows: number) => ({
  inputs: [
    {
      name: 'input',
      datatype: 'FP32',
      shape: [rows, 100],
      data: Array.from({ length: rows }, () => Array.from(hashedBagOfWords('a fine day', 100))).flat(),
    },
  ],
});

describe('GET /v1/pricing', () => {
  it('publishes the rate card for every served model, repository models included, without a key', async () => {
    const answer = await requestJson(`${server.url}/v1/pricing`);
    expect(answer.status).toBe(200);
    const pricing = serverPricingSchema.parse(answer.body);
    expect(Object.keys(pricing.models).sort()).toEqual([
      'affine',
      'aiaas-files',
      'aiaas-fine-tuning',
      'ref-chat',
      'ref-classify',
      'ref-embed',
    ]);
    expect(pricing.models['ref-chat']!.per_token).toBeDefined();
    expect(pricing.models['ref-embed']!.per_mb_in).toBeDefined();
    expect(pricing.models['ref-classify']!.per_compute_second).toBeDefined();
  });
});

describe('GET /v1/usage', () => {
  let records: ServerUsageRecord[];
  const sent: Record<
    string,
    { body: string; usage?: { prompt_tokens: number; completion_tokens?: number } }
  > = {};

  beforeAll(async () => {
    const post = async (path: string, body: unknown, model: string) => {
      const answer = await rawRequest(`${server.url}${path}`, {
        body,
        headers: { ...bearer(alice), 'idempotency-key': `bill-${model}` },
      });
      expect(answer.status).toBe(200);
      const parsed = answer.headers['content-type']?.includes('json') ? JSON.parse(answer.text) : undefined;
      sent[model] = { body: answer.text, usage: parsed?.usage };
    };
    await post(
      '/v1/chat/completions',
      { model: 'ref-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 9 },
      'ref-chat',
    );
    await post('/v1/embeddings', { model: 'ref-embed', input: ['one', 'two three'] }, 'ref-embed');
    await post('/v2/models/ref-classify/infer', classifyBody(3), 'ref-classify');
    await post(
      '/v2/models/affine/infer',
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }] },
      'affine',
    );
    records = (await usageList(server.url, alice)).data;
  });

  it('lists one record per call with the usage the server metered', () => {
    expect(records.map((record) => record.model)).toEqual([
      'ref-chat',
      'ref-embed',
      'ref-classify',
      'affine',
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        tenant: tenantIdForKey(alice),
        idempotency_key: `bill-${record.model}`,
        attempt: 1,
        status: 'ok',
      });
      expect(record.request_id).toMatch(/^req_/);
      expect(record.usage.requests).toBe(1);
      expect(record.usage.bytes_out).toBe(Buffer.byteLength(sent[record.model]!.body));
      expect(record.usage.bytes_in).toBeGreaterThan(20);
      expect(JSON.stringify(record)).not.toContain(alice);
    }
    const [chat, embed, classify, affine] = records;
    expect(chat!.usage.input_tokens).toBe(sent['ref-chat']!.usage!.prompt_tokens);
    expect(chat!.usage.output_tokens).toBe(sent['ref-chat']!.usage!.completion_tokens);
    expect(chat!.usage.compute_ms).toBeGreaterThan(0);
    expect(embed!.usage.input_tokens).toBe(sent['ref-embed']!.usage!.prompt_tokens);
    // Input tensor elements, as the SDK counts them by default.
    expect(classify!.usage.tensor_elements).toBe(300);
    expect(affine!.usage.tensor_elements).toBe(6);
  });

  it('prices every record exactly as a client pricing it from /v1/pricing does', async () => {
    const catalog = PriceCatalog.fromServerPricing((await requestJson(`${server.url}/v1/pricing`)).body);
    let total = Money.zero('USD');
    for (const record of records) {
      const clientCost = catalog.cost(record.model, normalizeAiaasUsage(record.usage), new Date(record.time));
      expect(clientCost.total.toJSON()).toEqual(record.cost);
      total = total.plus(clientCost.total);
    }
    expect(total.isPositive()).toBe(true);
    expect((await usageList(server.url, alice)).totals).toEqual({ USD: total.toDecimalString() });
  });

  it("never shows one tenant another tenant's records", async () => {
    const bobsView = await usageList(server.url, bob);
    expect(bobsView.data).toEqual([]);
    expect(bobsView.totals).toEqual({});
    await requestJson(`${server.url}/v1/embeddings`, {
      body: { model: 'ref-embed', input: 'bob' },
      headers: bearer(bob),
    });
    expect((await usageList(server.url, bob)).data.map((record) => record.tenant)).toEqual([
      tenantIdForKey(bob),
    ]);
    expect((await usageList(server.url, alice)).data).toHaveLength(records.length);
  });

  it('filters by model and time, and names a bad parameter', async () => {
    expect(
      (await usageList(server.url, alice, '?model=ref-embed')).data.map((record) => record.model),
    ).toEqual(['ref-embed']);
    expect((await usageList(server.url, alice, '?since=2999-01-01')).data).toEqual([]);
    expect((await usageList(server.url, alice, '?until=2000-01-01')).data).toEqual([]);
    // `since` is inclusive and `until` exclusive: the same instant splits the records in two.
    const instant = encodeURIComponent(records[1]!.time);
    const from = (await usageList(server.url, alice, `?since=${instant}`)).data;
    const before = (await usageList(server.url, alice, `?until=${instant}`)).data;
    expect(from.length + before.length).toBe(records.length);
    expect(from.map((record) => record.id)).toContain(records[1]!.id);
    const bad = await requestJson(`${server.url}/v1/usage?since=yesterday`, { headers: bearer(alice) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('since');
  });
});

describe('billing rules', () => {
  it('bills nothing for a fault before inference or a request that fails validation', async () => {
    const key = 'sk-billing-carol';
    const carol = await startReferenceServer({ port: 0, apiKeys: [key], logger: silentServerLogger });
    try {
      const chat = { model: 'ref-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 };
      await requestJson(`${carol.url}/v1/chat/completions`, {
        body: chat,
        headers: { ...bearer(key), 'x-aiaas-fault': 'status=503' },
      });
      await requestJson(`${carol.url}/v1/chat/completions`, {
        body: { ...chat, max_tokens: -1 },
        headers: bearer(key),
      });
      expect((await usageList(carol.url, key)).data).toEqual([]);
      // A replayed stream is not billed again either.
      const headers = { ...bearer(key), 'idempotency-key': 'stream-1' };
      const first = await rawRequest(`${carol.url}/v1/chat/completions`, { body: longChat, headers });
      const again = await rawRequest(`${carol.url}/v1/chat/completions`, { body: longChat, headers });
      expect(again.text).toBe(first.text);
      const [record, ...rest] = (await usageList(carol.url, key)).data;
      expect(rest).toEqual([]);
      // The stream's bytes are billed as sent once.
      expect(record!.usage.bytes_out).toBe(Buffer.byteLength(first.text));
      expect(record!.usage.output_tokens).toBe(
        JSON.parse(eventsOf(first).at(-2)!.data).usage.completion_tokens,
      );
    } finally {
      await carol.close();
    }
  });

  it('keeps usage totals across a restart with the same billing file', async () => {
    const billingFile = join(directory, 'billing.jsonl');
    const options = { port: 0, apiKeys: [alice], billingFile, logger: silentServerLogger };
    const first = await startReferenceServer(options);
    for (const input of ['one', 'two']) {
      await requestJson(`${first.url}/v1/embeddings`, {
        body: { model: 'ref-embed', input },
        headers: bearer(alice),
      });
    }
    const before = await usageList(first.url, alice);
    await first.close();

    const second = await startReferenceServer(options);
    try {
      const after = await usageList(second.url, alice);
      expect(after).toEqual(before);
      await requestJson(`${second.url}/v1/embeddings`, {
        body: { model: 'ref-embed', input: 'three' },
        headers: bearer(alice),
      });
      expect((await usageList(second.url, alice)).data).toHaveLength(3);
    } finally {
      await second.close();
    }
  });

  it('bills by a rate card given as a file, and refuses to serve a model the card does not price', async () => {
    const cardFile = join(directory, 'rates.json');
    const card = {
      currency: 'EUR',
      effective_from: '2025-06-01',
      models: {
        'ref-chat': { per_token: { input_per_million: '2', output_per_million: '4' }, per_request: '0.01' },
        'ref-embed': { per_request: '0.5' },
        'ref-classify': { per_1k_tensor_elements: '1' },
      },
    };
    writeFileSync(cardFile, JSON.stringify(card));
    const priced = await startReferenceServer({ port: 0, rateCard: cardFile, logger: silentServerLogger });
    try {
      expect((await requestJson(`${priced.url}/v1/pricing`)).body).toEqual(card);
      await requestJson(`${priced.url}/v1/embeddings`, { body: { model: 'ref-embed', input: 'x' } });
      expect((await requestJson(`${priced.url}/v1/usage`)).body.totals).toEqual({ EUR: '0.5' });
    } finally {
      await priced.close();
    }
    await expect(
      startReferenceServer({ port: 0, rateCard: card, modelsDir: repository, logger: silentServerLogger }),
    ).rejects.toThrow(/does not price the served model\(s\) affine/);
    expect(parseServeArguments(['--rate-card', cardFile, '--billing-file', 'b.jsonl'])).toMatchObject({
      rateCard: cardFile,
      billingFile: 'b.jsonl',
    });
  });
});
