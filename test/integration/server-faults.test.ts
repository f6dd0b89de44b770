import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer, eventsOf, longChat, rawRequest } from './server-pipeline-helpers.js';
import { parseEventStream, requestJson } from './server-test-client.js';

let server: ReferenceServer;
const keys = ['sk-faults-a', 'sk-faults-b', 'sk-faults-c', 'sk-faults-d'];
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 3, apiKeys: keys, logger: silentServerLogger });
});
afterAll(() => server.close());

const chatUrl = () => `${server.url}/v1/chat/completions`;
const shortChat = { model: 'ref-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 };
const usageOf = async (key: string) =>
  (await requestJson(`${server.url}/v1/usage`, { headers: bearer(key) })).body.data as {
    status: string;
    attempt: number;
    usage: { output_tokens: number };
  }[];

describe('x-aiaas-fault: answers instead of the route', () => {
  it('answers status=503 with x-should-retry and an injected_fault error, billing nothing', async () => {
    const answer = await requestJson(chatUrl(), {
      body: shortChat,
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'status=503;should_retry=false' },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('x-should-retry')).toBe('false');
    expect(answer.headers.get('x-aiaas-fault-injected')).toBe('status=503;should_retry=false');
    expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
    expect(answer.body.error).toMatchObject({ code: 'injected_fault', type: 'service_unavailable_error' });
    expect(await usageOf(keys[0]!)).toEqual([]);
  });

  it('sends retry-after-ms and retry-after (whole seconds, rounded up) for a 429', async () => {
    const answer = await requestJson(chatUrl(), {
      body: shortChat,
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'status=429;retry_after_ms=1500' },
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after-ms')).toBe('1500');
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(answer.body.error.type).toBe('rate_limit_error');
  });

  it('answers in the OIP dialect under /v2 and works on GET routes', async () => {
    const oip = await requestJson(`${server.url}/v2/models/ref-classify/infer`, {
      body: { inputs: [] },
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'status=500' },
    });
    expect(oip.status).toBe(500);
    expect(typeof oip.body.error).toBe('string');
    const models = await requestJson(`${server.url}/v1/models`, {
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'status=502' },
    });
    expect(models.status).toBe(502);
  });

  it('refuses a bad directive with a 400 naming it', async () => {
    for (const [header, named] of [
      ['status=200', 'status=200'],
      ['explode=1', 'explode'],
      ['drop_after=x', 'drop_after=x'],
      ['status=503;times=0', 'times'],
    ] as const) {
      const answer = await requestJson(chatUrl(), {
        body: shortChat,
        headers: { ...bearer(keys[0]!), 'x-aiaas-fault': header },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe('x-aiaas-fault');
      expect(answer.body.error.code).toBe('invalid_fault_directive');
      expect(answer.body.error.message).toContain(named);
    }
  });

  it('times=2 fails exactly the first two attempts of one logical call', async () => {
    const key = keys[1]!;
    const attempt = () =>
      requestJson(chatUrl(), {
        body: shortChat,
        headers: { ...bearer(key), 'idempotency-key': 'call-1', 'x-aiaas-fault': 'status=503;times=2' },
      });
    expect((await attempt()).status).toBe(503);
    expect((await attempt()).status).toBe(503);
    const third = await attempt();
    expect(third.status).toBe(200);
    expect(third.headers.get('x-aiaas-fault-injected')).toBeNull();
    // Attempts are counted per key: another logical call starts again at 1.
    const other = await requestJson(chatUrl(), {
      body: shortChat,
      headers: { ...bearer(key), 'idempotency-key': 'call-2', 'x-aiaas-fault': 'status=503;times=2' },
    });
    expect(other.status).toBe(503);
    const records = await usageOf(key);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ attempt: 3, status: 'ok' });
  });

  it('resets the connection before any byte of an answer', async () => {
    const answer = await rawRequest(chatUrl(), {
      body: shortChat,
      headers: { ...bearer(keys[2]!), 'x-aiaas-fault': 'reset' },
    });
    expect(answer.status).toBeUndefined();
    expect(answer.broken).toBe(true);
    expect(answer.errorCode).toBe('ECONNRESET');
    expect(await usageOf(keys[2]!)).toEqual([]);
  });

  it('delays the headers by delay_ms', async () => {
    const started = performance.now();
    const answer = await requestJson(`${server.url}/v1/models`, {
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'delay_ms=300' },
    });
    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });
});

describe('x-aiaas-fault: stream faults act on the socket', () => {
  it('drop_after=3 cuts the connection after three events; the cut stream bills what it generated', async () => {
    const key = keys[3]!;
    const full = eventsOf(await rawRequest(chatUrl(), { body: longChat, headers: bearer(keys[0]!) }));
    const fullTokens = JSON.parse(full.at(-2)!.data).usage.completion_tokens as number;
    const cut = await rawRequest(chatUrl(), {
      body: longChat,
      headers: { ...bearer(key), 'x-aiaas-fault': 'drop_after=3' },
    });
    expect(cut.status).toBe(200);
    expect(cut.broken).toBe(true);
    expect(cut.headers['x-aiaas-fault-injected']).toBe('drop_after=3');
    expect(eventsOf(cut).map((event) => event.id)).toEqual(['1', '2', '3']);
    const [record] = await usageOf(key);
    expect(record!.status).toBe('aborted');
    expect(record!.usage.output_tokens).toBeGreaterThan(0);
    expect(record!.usage.output_tokens).toBeLessThan(fullTokens);
  });

  it('malformed_after=2 sends two events, then a line that is not JSON, then ends', async () => {
    const answer = await rawRequest(chatUrl(), {
      body: longChat,
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'malformed_after=2' },
    });
    expect(answer.broken).toBe(false);
    const events = eventsOf(answer);
    expect(events).toHaveLength(3);
    expect(events.slice(0, 2).map((event) => event.id)).toEqual(['1', '2']);
    expect(events[2]!.id).toBeUndefined();
    expect(() => JSON.parse(events[2]!.data)).toThrow();
    expect(answer.text).not.toContain('[DONE]');
  });

  it('chunk_delay_ms pauses between events', async () => {
    const body = { ...longChat, max_tokens: 5 };
    const started = performance.now();
    const answer = await rawRequest(chatUrl(), {
      body,
      headers: { ...bearer(keys[0]!), 'x-aiaas-fault': 'chunk_delay_ms=40' },
    });
    const events = eventsOf(answer);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(performance.now() - started).toBeGreaterThanOrEqual((events.length - 1) * 40 - 5);
  });

  it('stall_after=2 keeps the socket open without sending, and close() still ends it promptly', async () => {
    const stalling = await startReferenceServer({ port: 0, logger: silentServerLogger });
    const response = await fetch(`${stalling.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aiaas-fault': 'stall_after=2' },
      body: JSON.stringify(longChat),
    });
    const reader = response.body!.getReader();
    let text = '';
    while (parseEventStream(text).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    // The stall is the subject: nothing more arrives for a while (300 ms; the test ends it below).
    const more = await Promise.race([
      reader.read().then(() => 'data'),
      new Promise((resolve) => setTimeout(() => resolve('silence'), 300)),
    ]);
    expect(more).toBe('silence');
    expect(parseEventStream(text).map((event) => event.id)).toEqual(['1', '2']);
    // Closing cuts the stalled stream instead of waiting for a client that may never leave: the
    // stall holds until one of them acts, so without the cut neither would ever settle.
    const started = performance.now();
    const closed = stalling.close();
    await expect(reader.read()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
    await closed;
  });
});
