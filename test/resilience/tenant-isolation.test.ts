import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import {
  bearer,
  chatTextOf,
  eventsOf,
  eventually,
  longChat,
  rawRequest,
} from '../integration/server-pipeline-helpers.js';
import { requestJson } from '../integration/server-test-client.js';

// Extends server-idempotency.test.ts ("keeps keys apart per tenant": same key, same body) and
// server-billing.test.ts (usage per tenant): here the guessing attacks themselves.
const alice = 'sk-tenant-alice-5b7d9f1a3c';
const bob = 'sk-tenant-bob-8e6c4a2f0d';
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    seed: 3,
    apiKeys: [alice, bob],
    logger: silentServerLogger,
  });
});
afterAll(() => server.close());

const chat = {
  model: 'ref-chat',
  messages: [{ role: 'user', content: 'Tell me about energy' }],
  max_tokens: 10,
};
const post = (path: string, body: unknown, key: string, headers: Record<string, string> = {}) =>
  rawRequest(`${server.url}${path}`, { body, headers: { ...bearer(key), ...headers } });
const usageOf = async (key: string, query = '') =>
  (await requestJson(`${server.url}/v1/usage${query}`, { headers: bearer(key) })).body as {
    data: { request_id: string; idempotency_key: string | null; tenant: string }[];
    totals: Record<string, string>;
  };

describe("one tenant cannot reach another's calls", () => {
  it('guessing an Idempotency-Key with another body gets a fresh answer, not a 409 that confirms the key exists', async () => {
    const first = await post('/v1/chat/completions', chat, alice, { 'idempotency-key': 'alice-secret-call' });
    expect(first.status).toBe(200);
    const guess = await post('/v1/chat/completions', { ...chat, max_tokens: 4 }, bob, {
      'idempotency-key': 'alice-secret-call',
    });
    expect(guess.status).toBe(200);
    expect(guess.headers['idempotent-replayed']).toBeUndefined();
    expect(guess.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(JSON.parse(guess.text).usage.completion_tokens).toBeLessThanOrEqual(4);
  });

  it('guessing the key of a call still running does not wait for it or receive its answer', async () => {
    let aliceAnswered = false;
    const slow = post('/v1/chat/completions', chat, alice, {
      'idempotency-key': 'alice-running',
      'x-aiaas-fault': 'delay_ms=300',
    }).finally(() => {
      aliceAnswered = true;
    });
    // A head start for Alice's call to reach the server. Nothing the server exposes says that it
    // has (no in-flight gauge); a late arrival only makes Bob's call come first, which passes trivially.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const guess = await post('/v1/chat/completions', chat, bob, { 'idempotency-key': 'alice-running' });
    expect(guess.status).toBe(200);
    // Bob did not wait for Alice's call: his answer came while hers was still held back.
    expect(aliceAnswered).toBe(false);
    const original = await slow;
    expect(guess.headers['x-request-id']).not.toBe(original.headers['x-request-id']);
    expect(guess.headers['idempotent-replayed']).toBeUndefined();
  });

  it("resuming another tenant's stream with its key and Last-Event-ID is refused: no event of it is sent", async () => {
    const broken = await post('/v1/chat/completions', longChat, alice, {
      'idempotency-key': 'alice-stream',
      'x-aiaas-fault': 'drop_after=3',
    });
    expect(broken.broken).toBe(true);
    const aliceEvents = eventsOf(broken);
    const lastId = aliceEvents.at(-1)?.id ?? '3';
    const guess = await post('/v1/chat/completions', longChat, bob, {
      'idempotency-key': 'alice-stream',
      'last-event-id': lastId,
    });
    expect(guess.status).toBe(410);
    expect(JSON.parse(guess.text).error.code).toBe('stream_not_resumable');
    // Alice's own resume still works, so the refusal is about the tenant, not the stream.
    const resumed = await eventually(async () => {
      const answer = await post('/v1/chat/completions', longChat, alice, {
        'idempotency-key': 'alice-stream',
        'last-event-id': lastId,
      });
      return answer.status === 200 && answer.text.includes('[DONE]') ? answer : undefined;
    });
    expect(chatTextOf(eventsOf(resumed)).length).toBeGreaterThan(0);
  });

  it("reuses of a key on another route or dialect stay in the caller's own namespace (OIP inference)", async () => {
    const body = {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.3) }],
    };
    const first = await post('/v2/models/ref-classify/infer', body, alice, {
      'idempotency-key': 'alice-infer',
    });
    const guess = await post('/v2/models/ref-classify/infer', body, bob, {
      'idempotency-key': 'alice-infer',
    });
    expect(first.status).toBe(200);
    expect(guess.status).toBe(200);
    expect(guess.headers['idempotent-replayed']).toBeUndefined();
    expect(guess.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it("sees none of another tenant's usage, whatever the query, and cannot look a call up by its request id", async () => {
    const aliceCall = await post('/v1/embeddings', { model: 'ref-embed', input: 'private words' }, alice);
    const aliceRequestId = String(aliceCall.headers['x-request-id']);
    const aliceView = await usageOf(alice);
    expect(aliceView.data.map((record) => record.request_id)).toContain(aliceRequestId);
    const aliceTenant = aliceView.data[0]!.tenant;
    for (const query of [
      '',
      '?model=ref-embed',
      '?since=0',
      `?tenant=${aliceTenant}`,
      `?request_id=${aliceRequestId}`,
      '?idempotency_key=alice-secret-call',
    ]) {
      const bobView = await usageOf(bob, query);
      expect(
        bobView.data.every((record) => record.tenant !== aliceTenant),
        query,
      ).toBe(true);
      expect(JSON.stringify(bobView), query).not.toContain(aliceRequestId);
    }
    // A request id the client sends is not adopted: it cannot be used to collide with another's call.
    const spoofed = await post('/v1/embeddings', { model: 'ref-embed', input: 'x' }, bob, {
      'x-request-id': aliceRequestId,
    });
    expect(spoofed.headers['x-request-id']).not.toBe(aliceRequestId);
    for (const path of [
      `/v1/usage/${aliceRequestId}`,
      `/v1/requests/${aliceRequestId}`,
      `/v2/requests/${aliceRequestId}`,
    ]) {
      const lookup = await requestJson(`${server.url}${path}`, { headers: bearer(bob) });
      expect(lookup.status, path).toBe(404);
      expect(JSON.stringify(lookup.body)).not.toContain('private words');
    }
  });
});
