import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { hashedBagOfWords } from '../../src/server/models/sentiment-features.js';
import { scrapeMetrics } from './server-metrics-scrape.js';
import { bearer, eventually, rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

let server: ReferenceServer;
const keys = ['sk-idem-a', 'sk-idem-b', 'sk-idem-c', 'sk-idem-d'];
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 5, apiKeys: keys, logger: silentServerLogger });
});
afterAll(() => server.close());

const chat = { model: 'ref-chat', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 12 };
const post = (path: string, body: unknown, key: string, idempotencyKey: string) =>
  rawRequest(`${server.url}${path}`, {
    body,
    headers: { ...bearer(key), 'idempotency-key': idempotencyKey },
  });
const recordsOf = async (key: string) =>
  (await requestJson(`${server.url}/v1/usage`, { headers: bearer(key) })).body.data as {
    idempotency_key: string | null;
    attempt: number;
    status: string;
    usage: { output_tokens: number };
  }[];

describe('Idempotency-Key', () => {
  it('replays the stored answer byte for byte, with the first x-request-id, and bills once', async () => {
    const key = keys[0]!;
    const first = await post('/v1/chat/completions', chat, key, 'same-1');
    const second = await post('/v1/chat/completions', chat, key, 'same-1');
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['x-request-id']).toBe(first.headers['x-request-id']);
    expect(second.text).toBe(first.text);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    const records = await recordsOf(key);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ idempotency_key: 'same-1', attempt: 1 });
  });

  it('answers 409 idempotency_key_reused to the same key with another body or on another route', async () => {
    const key = keys[0]!;
    expect((await post('/v1/chat/completions', chat, key, 'reuse-1')).status).toBe(200);
    const other = await post('/v1/chat/completions', { ...chat, max_tokens: 13 }, key, 'reuse-1');
    expect(other.status).toBe(409);
    const error = JSON.parse(other.text).error;
    expect(error).toMatchObject({ code: 'idempotency_key_reused', param: 'idempotency-key' });
    const elsewhere = await post('/v1/completions', chat, key, 'reuse-1');
    expect(elsewhere.status).toBe(409);
  });

  it('makes a concurrent duplicate wait for the first and get its answer', async () => {
    const key = keys[1]!;
    const long = { ...chat, max_tokens: 120, temperature: 1, seed: 1 };
    const answers = await Promise.all([
      post('/v1/chat/completions', long, key, 'concurrent-1'),
      post('/v1/chat/completions', long, key, 'concurrent-1'),
      post('/v1/chat/completions', long, key, 'concurrent-1'),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.headers['x-request-id'])).size).toBe(1);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    expect(await recordsOf(key)).toHaveLength(1);
  });

  it('finishes a call whose client left, and hands the answer to its retry, billed once', async () => {
    const key = keys[1]!;
    const long = {
      model: 'ref-chat',
      messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }],
      max_tokens: 1000,
      temperature: 0,
    };
    const generated = async () =>
      (await scrapeMetrics(server.url)).value('aiaas_generated_tokens_total', { model: 'ref-chat' });
    const before = await generated();
    const leave = new AbortController();
    const leaving = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key), 'idempotency-key': 'left-1' },
      body: JSON.stringify(long),
      signal: leave.signal,
    });
    // The client leaves once the server is generating, so the retry must find the first call's work.
    await eventually(async () => ((await generated()) > before ? true : undefined));
    leave.abort();
    await expect(leaving).rejects.toThrow();
    const retry = await post('/v1/chat/completions', long, key, 'left-1');
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const records = (await recordsOf(key)).filter((record) => record.idempotency_key === 'left-1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'ok', attempt: 1 });
    expect(records[0]!.usage.output_tokens).toBe(JSON.parse(retry.text).usage.completion_tokens);
  });

  it('keeps keys apart per tenant', async () => {
    const first = await post('/v1/chat/completions', chat, keys[2]!, 'shared-key');
    const second = await post('/v1/chat/completions', chat, keys[3]!, 'shared-key');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await recordsOf(keys[2]!)).toHaveLength(1);
    expect(await recordsOf(keys[3]!)).toHaveLength(1);
  });

  it('replays OIP inference and does not store failed attempts', async () => {
    const key = keys[2]!;
    const body = {
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [1, 100], data: Array.from(hashedBagOfWords('good', 100)) },
      ],
    };
    const first = await post('/v2/models/ref-classify/infer', body, key, 'oip-1');
    const again = await post('/v2/models/ref-classify/infer', body, key, 'oip-1');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    // A 400 is not stored as the call's answer: repeating the key runs the request again.
    const invalid = await post('/v2/models/ref-classify/infer', { inputs: [] }, key, 'oip-2');
    expect(invalid.status).toBe(400);
    const retried = await post('/v2/models/ref-classify/infer', { inputs: [] }, key, 'oip-2');
    expect(retried.status).toBe(400);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('finishes an OIP inference whose client left during a held answer, bills it once, and still closes', async () => {
    // Its own server: the test ends by closing it, which used to wait for ever on the unread body.
    const own = await startReferenceServer({
      port: 0,
      seed: 5,
      apiKeys: [keys[0]!],
      logger: silentServerLogger,
    });
    const key = keys[0]!;
    const body = {
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [1, 100], data: Array.from(hashedBagOfWords('fine', 100)) },
      ],
    };
    const url = `${own.url}/v2/models/ref-classify/infer`;
    const buffered = async () =>
      (await scrapeMetrics(own.url)).value('aiaas_request_body_buffered_bytes', {});
    const leave = new AbortController();
    const leaving = fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...bearer(key),
        'idempotency-key': 'oip-left-1',
        'x-aiaas-fault': 'delay_ms=60000',
      },
      body: JSON.stringify(body),
      signal: leave.signal,
    });
    // A held answer still has its request: the server reads the body before the hold, then the client leaves.
    await eventually(async () => ((await buffered()) > 0 ? true : undefined));
    leave.abort();
    await expect(leaving).rejects.toThrow();
    const retry = await rawRequest(url, {
      body,
      headers: { ...bearer(key), 'idempotency-key': 'oip-left-1' },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const usage = await requestJson(`${own.url}/v1/usage`, { headers: bearer(key) });
    const records = (usage.body.data as { idempotency_key: string | null; status: string }[]).filter(
      (record) => record.idempotency_key === 'oip-left-1',
    );
    expect(records).toEqual([expect.objectContaining({ status: 'ok' })]);
    await own.close();
  });

  it('ignores the key on GET', async () => {
    const answer = await rawRequest(`${server.url}/v1/models`, {
      headers: { ...bearer(keys[0]!), 'idempotency-key': 'get-1' },
    });
    const again = await rawRequest(`${server.url}/v1/models`, {
      headers: { ...bearer(keys[0]!), 'idempotency-key': 'get-1' },
    });
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['x-request-id']).not.toBe(answer.headers['x-request-id']);
  });
});
