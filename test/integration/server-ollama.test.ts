import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { fault, faultHeader } from '../../src/testing/fault-header-builder.js';
import { scrapeMetrics } from './server-metrics-scrape.js';
import { bearer, eventually, rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

let server: ReferenceServer;
const keys = ['sk-ollama-a', 'sk-ollama-b', 'sk-ollama-c'];
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 5, apiKeys: keys, logger: silentServerLogger });
});
afterAll(() => server.close());

const url = (path: string) => `${server.url}${path}`;
const post = (path: string, body: unknown, key = keys[0]!, headers: Record<string, string> = {}) =>
  requestJson(url(path), { body, headers: { ...bearer(key), ...headers } });
const hello = { model: 'ref-chat', messages: [{ role: 'user', content: 'Tell me about the union.' }] };
const sampling = { temperature: 0.7, seed: 11, num_predict: 12 };

/** The NDJSON lines of a streamed answer, each parsed. */
function linesOf(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const finalFields = [
  'total_duration',
  'load_duration',
  'prompt_eval_count',
  'prompt_eval_duration',
  'eval_count',
  'eval_duration',
];

describe('the Ollama API on aiaas/server', () => {
  it('lists ref-chat and ref-embed as tagged models with size and digest; show, ps and version', async () => {
    const tags = await requestJson(url('/api/tags'), { headers: bearer(keys[0]!) });
    expect(tags.status).toBe(200);
    expect(tags.body.models.map((model: { name: string }) => model.name)).toEqual([
      'ref-chat:latest',
      'ref-embed:latest',
    ]);
    for (const model of tags.body.models) {
      expect(model.size).toBeGreaterThan(0);
      expect(model.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(model.modified_at))).toBe(false);
    }
    const show = await post('/api/show', { model: 'ref-embed:latest' });
    expect(show.body.capabilities).toEqual(['embedding']);
    expect(show.body.model_info['ref-embed.embedding_length']).toBeGreaterThan(0);
    const ps = await requestJson(url('/api/ps'), { headers: bearer(keys[0]!) });
    expect(ps.body.models).toHaveLength(2);
    const version = await requestJson(url('/api/version'));
    expect(version.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('chats as one object and as NDJSON lines with the same text, the last line done with counters', async () => {
    const whole = await post('/api/chat', { ...hello, stream: false, options: sampling });
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ model: 'ref-chat', done: true, message: { role: 'assistant' } });
    expect(['stop', 'length']).toContain(whole.body.done_reason);
    for (const field of finalFields) expect(Number.isSafeInteger(whole.body[field]), field).toBe(true);
    expect(whole.body.eval_count).toBeGreaterThan(0);
    expect(whole.body.eval_count).toBeLessThanOrEqual(12);

    // `stream` defaults to true, as in Ollama.
    const streamed = await rawRequest(url('/api/chat'), {
      method: 'POST',
      body: { ...hello, options: sampling },
      headers: bearer(keys[0]!),
    });
    expect(streamed.headers['content-type']).toBe('application/x-ndjson');
    const lines = linesOf(streamed.text);
    const last = lines.at(-1)!;
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
    expect(last).toMatchObject({ done: true, done_reason: whole.body.done_reason, message: { content: '' } });
    const text = lines.map((line) => (line.message as { content: string }).content).join('');
    expect(text).toBe(whole.body.message.content);
    expect(last.eval_count).toBe(whole.body.eval_count);
    expect(last.prompt_eval_count).toBe(whole.body.prompt_eval_count);
  });

  it('generates through the template or raw, and continues from the context it returns', async () => {
    const templated = await post('/api/generate', {
      model: 'ref-chat:latest',
      prompt: 'Hello',
      system: 'Be brief.',
      stream: false,
      options: sampling,
    });
    expect(templated.body.model).toBe('ref-chat:latest');
    const raw = await post('/api/generate', { model: 'ref-chat', prompt: 'Hello', raw: true, stream: false });
    expect(raw.body.prompt_eval_count).toBeLessThan(templated.body.prompt_eval_count);
    expect(raw.body.context).toHaveLength(raw.body.prompt_eval_count + raw.body.eval_count);
    const next = await post('/api/generate', {
      model: 'ref-chat',
      prompt: ' And then',
      raw: true,
      context: raw.body.context,
      options: { num_predict: 3 },
    });
    const lines = linesOf(next.body as string);
    const last = lines.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.prompt_eval_count).toBeGreaterThan(raw.body.context.length);
    expect((last.context as number[]).slice(0, raw.body.context.length)).toEqual(raw.body.context);
  });

  it('answers JSON of the format it is given, streamed or not (structured outputs)', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, year: { type: 'integer' } },
      required: ['city', 'year'],
      additionalProperties: false,
    };
    const whole = await post('/api/chat', {
      ...hello,
      format: schema,
      stream: false,
      options: { seed: 3, num_predict: 60 },
    });
    expect(whole.status).toBe(200);
    const answer = JSON.parse(whole.body.message.content);
    expect(Object.keys(answer).sort()).toEqual(['city', 'year']);
    expect(Number.isInteger(answer.year)).toBe(true);
    const streamed = await post('/api/generate', {
      model: 'ref-chat',
      prompt: 'A JSON object:',
      format: 'json',
      options: { seed: 3, num_predict: 60 },
    });
    const lines = linesOf(streamed.body as string);
    const text = lines.map((line) => line.response as string).join('');
    expect(typeof JSON.parse(text)).toBe('object');
    expect(lines.at(-1)!.done).toBe(true);
  });

  it('embeds a string or strings, with dimensions, as arrays of numbers', async () => {
    const one = await post('/api/embed', { model: 'ref-embed', input: 'a union of states' });
    expect(one.body.embeddings).toHaveLength(1);
    const dimensions = one.body.embeddings[0].length;
    const two = await post('/api/embed', { model: 'ref-embed:latest', input: ['a', 'b c'], dimensions: 4 });
    expect(two.body.embeddings.map((vector: number[]) => vector.length)).toEqual([4, 4]);
    expect(two.body.prompt_eval_count).toBeGreaterThan(0);
    const tooMany = await post('/api/embed', { model: 'ref-embed', input: 'a', dimensions: dimensions + 1 });
    expect(tooMany.status).toBe(400);
  });

  it('bills each call in GET /v1/usage under the served model, with the counters and compute it reported', async () => {
    const key = keys[1]!;
    const before = await scrapeMetrics(server.url);
    const chat = await post('/api/chat', { ...hello, model: 'ref-chat:latest', stream: false }, key);
    const generate = await post(
      '/api/generate',
      { model: 'ref-chat', prompt: 'We the', options: sampling },
      key,
    );
    const streamed = linesOf(generate.body as string).at(-1)!;
    const embed = await post('/api/embed', { model: 'ref-embed', input: ['x', 'y'] }, key);
    const records = await eventually(async () => {
      const usage = await requestJson(url('/v1/usage'), { headers: bearer(key) });
      return usage.body.data.length === 3 ? usage.body.data : undefined;
    });
    const usageOf = (answer: { headers: Headers }) => {
      const record = records.find(
        (entry: { request_id: string }) => entry.request_id === answer.headers.get('x-request-id'),
      );
      return { model: record.model, ...record.usage };
    };
    expect(usageOf(chat)).toMatchObject({
      model: 'ref-chat',
      input_tokens: chat.body.prompt_eval_count,
      output_tokens: chat.body.eval_count,
      compute_ms: chat.body.compute_ms,
    });
    expect(usageOf(generate)).toMatchObject({
      model: 'ref-chat',
      input_tokens: streamed.prompt_eval_count,
      output_tokens: streamed.eval_count,
      compute_ms: streamed.compute_ms,
    });
    expect(usageOf(embed)).toMatchObject({
      model: 'ref-embed',
      input_tokens: embed.body.prompt_eval_count,
      compute_ms: embed.body.compute_ms,
    });
    for (const answer of [chat, generate, embed]) expect(usageOf(answer).bytes_out).toBeGreaterThan(0);
    // A tagged name is counted under the model it names, not as an unknown one.
    const served = { model: 'ref-chat', status: '200', reason: 'ok' };
    const after = await scrapeMetrics(server.url);
    expect(after.value('aiaas_requests_total', served) - before.value('aiaas_requests_total', served)).toBe(
      2,
    );
  });

  it('replays a repeated NDJSON stream of one Idempotency-Key line for line, billing it once', async () => {
    const key = keys[2]!;
    const headers = { ...bearer(key), 'idempotency-key': 'ollama-stream-once' };
    const body = { ...hello, options: sampling };
    const first = await rawRequest(url('/api/chat'), { method: 'POST', body, headers });
    const again = await rawRequest(url('/api/chat'), { method: 'POST', body, headers });
    expect(again.headers['content-type']).toBe('application/x-ndjson');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(linesOf(again.text)).toEqual(linesOf(first.text));
    const records = await eventually(async () => {
      const usage = await requestJson(`${url('/v1/usage')}?idempotency_key=ollama-stream-once`, {
        headers: bearer(key),
      });
      return usage.body.data.length > 0 ? usage.body.data : undefined;
    });
    expect(records).toHaveLength(1);
    expect(records[0].usage.output_tokens).toBe(linesOf(first.text).at(-1)!.eval_count);
  });

  it('acts out x-aiaas-fault on Ollama routes: a status in its error dialect, a stream cut after 2 lines', async () => {
    const refused = await post('/api/chat', hello, keys[2]!, {
      'x-aiaas-fault': faultHeader(fault.status(503)),
    });
    expect(refused.status).toBe(503);
    expect(typeof refused.body.error).toBe('string');
    const cut = await rawRequest(url('/api/chat'), {
      method: 'POST',
      body: { ...hello, options: { ...sampling, num_predict: 30, temperature: 0 } },
      headers: { ...bearer(keys[2]!), 'x-aiaas-fault': faultHeader(fault.dropAfter(2)) },
    });
    expect(cut.broken).toBe(true);
    expect(linesOf(cut.text)).toHaveLength(2);
    const malformed = await rawRequest(url('/api/generate'), {
      method: 'POST',
      body: { model: 'ref-chat', prompt: 'Hi', options: { num_predict: 8 } },
      headers: { ...bearer(keys[2]!), 'x-aiaas-fault': faultHeader(fault.malformedAfter(1)) },
    });
    const [first, second] = malformed.text.split('\n');
    expect(JSON.parse(first!).done).toBe(false);
    expect(() => JSON.parse(second!)).toThrow();
  });

  it('answers bad input with 400 or 404 in Ollama dialect, never a 5xx', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/chat', { model: 'llama9', messages: [] }, 404, /model "llama9" not found/],
      ['/api/chat', { model: 'ref-chat:7b', messages: [] }, 404, /not found/],
      ['/api/chat', { model: 'ref-embed', messages: [] }, 400, /does not support chat/],
      ['/api/embed', { model: 'ref-chat', input: 'x' }, 400, /does not support embeddings/],
      ['/api/chat', { model: 5, messages: 'hi' }, 400, /model/],
      ['/api/chat', { ...hello, options: { temperature: 'hot' } }, 400, /options\.temperature/],
      ['/api/chat', { ...hello, options: { num_predict: 0 } }, 400, /num_predict/],
      ['/api/chat', { ...hello, tools: [{ type: 'function' }] }, 400, /does not support tools/],
      ['/api/chat', { ...hello, format: { type: 'object', not: {} } }, 400, /Unsupported JSON schema/],
      ['/api/chat', { ...hello, format: 'json', options: { stop: ['}'] } }, 400, /stop/],
      ['/api/chat', { ...hello, format: 'yaml' }, 400, /format/],
      ['/api/generate', { model: 'ref-chat', prompt: 'x', context: [-1] }, 400, /context\.0/],
      ['/api/generate', { model: 'ref-chat', prompt: 'x', suffix: 'y' }, 400, /insert/],
      ['/api/show', { model: 'ref-classify' }, 404, /not found/],
    ];
    for (const [path, body, status, message] of cases) {
      const answer = await post(path, body);
      expect({ path, body, status: answer.status }).toEqual({ path, body, status });
      expect(answer.body.error).toMatch(message);
    }
    const malformed = await requestJson(url('/api/chat'), {
      rawBody: '{"model": "ref-chat",',
      headers: bearer(keys[0]!),
    });
    expect(malformed.status).toBe(400);
    expect(typeof malformed.body.error).toBe('string');
    const unknown = await requestJson(url('/api/pull'), { body: { model: 'x' }, headers: bearer(keys[0]!) });
    expect(unknown.status).toBe(404);
    expect(typeof unknown.body.error).toBe('string');
    const loaded = await post('/api/chat', { model: 'ref-chat', messages: [] });
    expect(loaded.body).toMatchObject({ done: true, done_reason: 'load' });
  });
});
