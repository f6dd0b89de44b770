import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { scrapeMetrics } from './server-metrics-scrape.js';
import { requestJson } from './server-test-client.js';

const families = [
  ['aiaas_requests_total', 'counter'],
  ['aiaas_inferences_total', 'counter'],
  ['aiaas_batches_total', 'counter'],
  ['aiaas_queue_seconds_total', 'counter'],
  ['aiaas_compute_seconds_total', 'counter'],
  ['aiaas_generated_tokens_total', 'counter'],
  ['aiaas_queue_depth', 'gauge'],
] as const;

const classifyInput = { name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.1) };

describe('GET /metrics', () => {
  // Requests wait up to 200 ms for company here, long enough to watch the queue.
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({
      port: 0,
      maxQueueDelayMs: 200,
      apiKeys: ['sk-metrics'],
      logger: silentServerLogger,
    });
  });
  afterAll(() => server.close());
  const auth = { authorization: 'Bearer sk-metrics' };

  it('serves the Prometheus text format without a key, every family with HELP and TYPE', async () => {
    const scrape = await scrapeMetrics(server.url);
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [name, type] of families) {
      expect(scrape.text).toMatch(new RegExp(`^# HELP ${name} \\S.*$`, 'm'));
      expect(scrape.text).toContain(`\n# TYPE ${name} ${type}\n`);
    }
    expect(scrape.text.endsWith('\n')).toBe(true);
  });

  it('counts requests by model, status and reason', async () => {
    const before = await scrapeMetrics(server.url);
    const embed = (body: Record<string, unknown>, headers: Record<string, string> = auth) =>
      requestJson(`${server.url}/v1/embeddings`, { body, headers });
    expect((await embed({ model: 'ref-embed', input: 'jobs' })).status).toBe(200);
    expect((await embed({ model: 'ref-embed', input: 'taxes' })).status).toBe(200);
    expect((await embed({ model: 'ref-embed', input: '' })).status).toBe(400);
    expect((await embed({ model: 'no-such-model', input: 'x' })).status).toBe(404);
    expect((await embed({ model: 'ref-embed', input: 'x' }, {})).status).toBe(401);
    const oip = await requestJson(`${server.url}/v2/models/ref-classify/infer`, {
      body: { inputs: [classifyInput] },
      headers: auth,
    });
    expect(oip.status).toBe(200);
    const after = await scrapeMetrics(server.url);
    const moved = (labels: Record<string, string>) =>
      after.value('aiaas_requests_total', labels) - before.value('aiaas_requests_total', labels);
    expect(moved({ model: 'ref-embed', status: '200', reason: 'ok' })).toBe(2);
    expect(moved({ model: 'ref-embed', status: '400', reason: 'invalid_value' })).toBe(1);
    // An unknown name never becomes a label: clients cannot create series at will.
    expect(moved({ model: '', status: '404', reason: 'model_not_found' })).toBe(1);
    expect(after.text).not.toContain('no-such-model');
    expect(moved({ model: 'ref-classify', status: '200', reason: 'ok' })).toBe(1);
  });

  it('counts inferences against batches, queue and compute time, and shows the queue while it waits', async () => {
    const before = await scrapeMetrics(server.url);
    const infer = () =>
      requestJson(`${server.url}/v2/models/ref-classify/infer`, {
        body: { inputs: [classifyInput] },
        headers: auth,
      });
    const waiting = Promise.all([infer(), infer(), infer()]);
    // All three queued, inside the 200 ms window (the batch count below says it was one window).
    await vi.waitFor(
      async () =>
        expect((await scrapeMetrics(server.url)).value('aiaas_queue_depth', { model: 'ref-classify' })).toBe(
          3,
        ),
      { timeout: 5_000, interval: 10 },
    );
    for (const answer of await waiting) expect(answer.status).toBe(200);
    const after = await scrapeMetrics(server.url);
    const model = { model: 'ref-classify' };
    const moved = (name: string) => after.value(name, model) - before.value(name, model);
    expect(moved('aiaas_inferences_total')).toBe(3);
    expect(moved('aiaas_batches_total')).toBe(1);
    // The first waited the whole 200 ms batch window, the others what was left of it when they
    // arrived (on a loaded machine they may arrive late in it).
    expect(moved('aiaas_queue_seconds_total')).toBeGreaterThan(0.18);
    expect(moved('aiaas_compute_seconds_total')).toBeGreaterThan(0);
    expect(after.value('aiaas_queue_depth', model)).toBe(0);
  });

  it('counts every generated token', async () => {
    const before = await scrapeMetrics(server.url);
    const answer = await requestJson(`${server.url}/v1/completions`, {
      body: { model: 'ref-chat', prompt: ['The president', 'We'], max_tokens: 30, n: 2, seed: 4 },
      headers: auth,
    });
    expect(answer.status).toBe(200);
    const after = await scrapeMetrics(server.url);
    const model = { model: 'ref-chat' };
    const generated =
      after.value('aiaas_generated_tokens_total', model) -
      before.value('aiaas_generated_tokens_total', model);
    expect(generated).toBe(answer.body.usage.completion_tokens);
    expect(after.value('aiaas_inferences_total', model) - before.value('aiaas_inferences_total', model)).toBe(
      generated,
    );
  });
});

describe('GET /metrics with batching off', () => {
  it('shows one model run per inference', async () => {
    const server = await startReferenceServer({ port: 0, batching: false, logger: silentServerLogger });
    try {
      const before = await scrapeMetrics(server.url);
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, index) =>
          requestJson(`${server.url}/v1/embeddings`, {
            body: { model: 'ref-embed', input: `schools ${index}` },
          }),
        ),
      );
      for (const answer of answers) expect(answer.status).toBe(200);
      const after = await scrapeMetrics(server.url);
      const model = { model: 'ref-embed' };
      expect(
        after.value('aiaas_inferences_total', model) - before.value('aiaas_inferences_total', model),
      ).toBe(16);
      expect(after.value('aiaas_batches_total', model) - before.value('aiaas_batches_total', model)).toBe(16);
    } finally {
      await server.close();
    }
  });
});
