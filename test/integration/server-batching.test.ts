import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { scrapeMetrics } from './server-metrics-scrape.js';
import { type JsonAnswer, requestJson, streamEvents } from './server-test-client.js';

// A queue delay long enough that concurrent requests reliably meet in one batch.
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, maxQueueDelayMs: 20, logger: silentServerLogger });
});
afterAll(() => server.close());

const texts = Array.from(
  { length: 16 },
  (_, index) =>
    `${'The president spoke about jobs and taxes. '.repeat(1 + (index % 5))}Schools matter ${index} times.`,
);

function largestDifference(left: readonly number[], right: readonly number[]): number {
  expect(left).toHaveLength(right.length);
  return Math.max(...left.map((value, index) => Math.abs(value - right[index]!)));
}

async function inferOip(model: string, inputs: unknown[]) {
  return requestJson(`${server.url}/v2/models/${model}/infer`, { body: { inputs } });
}

describe('dynamic batching', () => {
  it('batches concurrent embedding requests and returns the vectors each gets alone', async () => {
    const embed = (input: string) =>
      requestJson(`${server.url}/v1/embeddings`, { body: { model: 'ref-embed', input } });
    const solo: JsonAnswer[] = [];
    for (const text of texts) solo.push(await embed(text));
    const before = await scrapeMetrics(server.url);
    const together = await Promise.all(texts.map(embed));
    const after = await scrapeMetrics(server.url);
    const model = { model: 'ref-embed' };
    expect(after.value('aiaas_inferences_total', model) - before.value('aiaas_inferences_total', model)).toBe(
      16,
    );
    expect(
      after.value('aiaas_batches_total', model) - before.value('aiaas_batches_total', model),
    ).toBeLessThan(16);
    together.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      // compute_ms is measured time (batched runs differ); the tokens must not.
      expect(answer.body.usage).toEqual({ ...solo[index]!.body.usage, compute_ms: expect.any(Number) });
      const vector = answer.body.data[0].embedding as number[];
      expect(largestDifference(vector, solo[index]!.body.data[0].embedding)).toBeLessThan(1e-6);
    });
  });

  it('batches OIP classify requests (one of several rows) with exactly the solo results', async () => {
    const features = (seed: number, rows: number) =>
      Array.from({ length: rows * 100 }, (_, index) => Math.round(Math.cos(seed + index) ** 2 * 1000) / 1000);
    const requests = Array.from({ length: 12 }, (_, seed) => ({
      name: 'input',
      datatype: 'FP32',
      shape: [seed === 5 ? 3 : 1, 100],
      data: features(seed, seed === 5 ? 3 : 1),
    }));
    const solo: JsonAnswer[] = [];
    for (const input of requests) solo.push(await inferOip('ref-classify', [input]));
    const together = await Promise.all(requests.map((input) => inferOip('ref-classify', [input])));
    together.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.body.outputs).toEqual(solo[index]!.body.outputs);
    });
    expect(together[5]!.body.outputs[0].shape).toEqual([3, 1]);
  });

  it('pads OIP ref-embed requests of different lengths, and a bad one fails alone', async () => {
    const tokens = (length: number, offset: number) =>
      Array.from({ length }, (_, index) => 100 + offset + index);
    const request = (ids: number[]) => [
      { name: 'input_ids', datatype: 'INT64', shape: [1, ids.length], data: ids },
      { name: 'attention_mask', datatype: 'INT64', shape: [1, ids.length], data: ids.map(() => 1) },
    ];
    const lengths = [1, 9, 4, 17, 2];
    const solo: JsonAnswer[] = [];
    for (const [index, length] of lengths.entries())
      solo.push(await inferOip('ref-embed', request(tokens(length, index))));
    const [bad, ...together] = await Promise.all([
      inferOip('ref-embed', request([1, 1_000_000])),
      ...lengths.map((length, index) => inferOip('ref-embed', request(tokens(length, index)))),
    ]);
    expect(bad!.status).toBe(400);
    together.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.body.outputs[0].shape).toEqual([1, 128]);
      expect(largestDifference(answer.body.outputs[0].data, solo[index]!.body.outputs[0].data)).toBeLessThan(
        1e-6,
      );
    });
  });
});

describe('continuous batching of ref-chat', () => {
  const chatRequests: { path: string; body: Record<string, unknown> }[] = [
    {
      path: '/v1/chat/completions',
      body: { messages: [{ role: 'user', content: 'Hello' }], seed: 1, max_tokens: 40 },
    },
    {
      path: '/v1/chat/completions',
      body: {
        messages: [{ role: 'user', content: 'What about taxes?' }],
        seed: 2,
        temperature: 0.7,
        max_tokens: 60,
      },
    },
    {
      path: '/v1/chat/completions',
      body: { messages: [{ role: 'user', content: 'Schools' }], seed: 3, top_p: 0.8, max_tokens: 30, n: 2 },
    },
    {
      path: '/v1/chat/completions',
      body: { messages: [{ role: 'user', content: 'Go on.' }], temperature: 0, max_tokens: 25 },
    },
    { path: '/v1/completions', body: { prompt: 'The president', seed: 5, max_tokens: 50, stop: ['.'] } },
    { path: '/v1/completions', body: { prompt: ['Jobs', 'Energy'], seed: 6, max_tokens: 20 } },
    {
      path: '/v1/chat/completions',
      body: { messages: [{ role: 'user', content: 'Tell me more' }], seed: 7, max_tokens: 45, stream: true },
    },
    { path: '/v1/completions', body: { prompt: 'We the people', seed: 8, max_tokens: 35, stream: true } },
  ];

  /** The whole answer as text: JSON bodies minus their random id and time, streams as their content deltas. */
  async function generate({ path, body }: (typeof chatRequests)[number]): Promise<string> {
    const full = { model: 'ref-chat', ...body };
    if (body.stream === true) {
      const { status, events } = await streamEvents(`${server.url}${path}`, full);
      expect(status).toBe(200);
      const deltas = events
        .filter((event) => event.data !== '[DONE]')
        .map((event) =>
          JSON.parse(event.data).choices.map(
            (choice: { delta?: object; text?: string }) => choice.delta ?? choice.text,
          ),
        );
      return JSON.stringify(deltas);
    }
    const answer = await requestJson(`${server.url}${path}`, { body: full });
    expect(answer.status).toBe(200);
    // compute_ms is measured time, different on every run: left out of the comparison.
    const { compute_ms: _computeMs, ...tokens } = answer.body.usage;
    return JSON.stringify({ choices: answer.body.choices, usage: tokens });
  }

  it('gives every request of a concurrent batch byte-identical output to its solo run', async () => {
    const solo: string[] = [];
    for (const request of chatRequests) solo.push(await generate(request));
    expect(new Set(solo).size).toBe(chatRequests.length);
    const before = await scrapeMetrics(server.url);
    const together = await Promise.all(chatRequests.map(generate));
    const after = await scrapeMetrics(server.url);
    expect(together).toEqual(solo);
    const model = { model: 'ref-chat' };
    const steps =
      after.value('aiaas_inferences_total', model) - before.value('aiaas_inferences_total', model);
    const runs = after.value('aiaas_batches_total', model) - before.value('aiaas_batches_total', model);
    // Ten sequences stepped together: far fewer model runs than decode steps.
    expect(runs).toBeLessThan(steps / 2);
  });
});
