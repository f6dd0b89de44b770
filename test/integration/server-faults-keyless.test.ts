import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer, rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// Issue 14: `times=K` counted attempts by Idempotency-Key only, so a client that sends none (the
// official openai-node client) met `times=1` on every retry. Without a key, the server now counts
// by a fingerprint of the request (method, path, body, tenant) within a short window.
let server: ReferenceServer;
const keys = ['sk-keyless-a', 'sk-keyless-b', 'sk-keyless-c'];
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 5, apiKeys: keys, logger: silentServerLogger });
});
afterAll(() => server.close());

const embeddingsUrl = () => `${server.url}/v1/embeddings`;

/** One keyless POST /v1/embeddings on a fresh connection; every test uses its own inputs. */
function embed(key: string, input: string, fault: string) {
  return rawRequest(embeddingsUrl(), {
    body: { model: 'ref-embed', input },
    headers: { ...bearer(key), 'x-aiaas-fault': fault },
  });
}

async function usageOf(key: string) {
  const answer = await requestJson(`${server.url}/v1/usage`, { headers: bearer(key) });
  return answer.body.data as { attempt: number; status: string; idempotency_key: string | null }[];
}

describe('x-aiaas-fault times=K without an Idempotency-Key', () => {
  it('fails a repeated raw request exactly twice with status=503;times=2, then serves it', async () => {
    const statuses: (number | undefined)[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const answer = await embed(keys[0]!, 'budget surplus', 'status=503;times=2');
      statuses.push(answer.status);
      if (answer.status === 503) {
        expect(answer.headers['x-aiaas-fault-injected']).toBe('status=503');
        expect(JSON.parse(answer.text).error.code).toBe('injected_fault');
      }
    }
    expect(statuses).toEqual([503, 503, 200, 200]);
    // The faulted attempts bill nothing; the served ones are the third and fourth of the call.
    expect(await usageOf(keys[0]!)).toMatchObject([
      { attempt: 3, status: 'ok', idempotency_key: null },
      { attempt: 4, status: 'ok', idempotency_key: null },
    ]);
  });

  it('counts different bodies, paths and tenants as different calls', async () => {
    const fault = 'status=503;times=1';
    expect((await embed(keys[1]!, 'first body', fault)).status).toBe(503);
    expect((await embed(keys[1]!, 'second body', fault)).status).toBe(503);
    // The same body from another tenant is another call.
    expect((await embed(keys[2]!, 'first body', fault)).status).toBe(503);
    // The same body on another route is another call.
    const tokenize = () =>
      rawRequest(`${server.url}/tokenize`, {
        body: { model: 'ref-embed', prompt: 'first body' },
        headers: { ...bearer(keys[1]!), 'x-aiaas-fault': fault },
      });
    expect((await tokenize()).status).toBe(503);
    // Each call's retry then goes through: its one faulted attempt is used up.
    expect((await embed(keys[1]!, 'first body', fault)).status).toBe(200);
    expect((await embed(keys[1]!, 'second body', fault)).status).toBe(200);
    expect((await embed(keys[2]!, 'first body', fault)).status).toBe(200);
    expect((await tokenize()).status).toBe(200);
  });

  it('lets the official openai client complete a call with its default retries under status=429;times=1', async () => {
    const client = new OpenAI({
      baseURL: `${server.url}/v1`,
      apiKey: keys[2]!,
      defaultHeaders: { 'x-aiaas-fault': 'status=429;retry_after_ms=20;times=1' },
    });
    const before = (await usageOf(keys[2]!)).length;
    const { data, response } = await client.chat.completions
      .create({ model: 'ref-chat', messages: [{ role: 'user', content: 'The economy' }], max_tokens: 4 })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const records = await usageOf(keys[2]!);
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)).toMatchObject({ attempt: 2, status: 'ok', idempotency_key: null });
  });

  it('keeps counting a call with a key by its key, whatever its body', async () => {
    const keyed = (input: string) =>
      rawRequest(embeddingsUrl(), {
        body: { model: 'ref-embed', input },
        headers: {
          ...bearer(keys[0]!),
          'idempotency-key': 'keyed-call',
          'x-aiaas-fault': 'status=503;times=1',
        },
      });
    expect((await keyed('one')).status).toBe(503);
    // Same key, other body: still attempt 2 of that call, so its one faulted attempt is used up.
    expect((await keyed('two')).status).toBe(200);
  });
});
