import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArguments } from '../../src/cli/serve-command.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer, eventsOf, eventually, longChat, rawRequest } from './server-pipeline-helpers.js';
import { parseEventStream, requestJson, type ServerSentEvent } from './server-test-client.js';

let server: ReferenceServer;
let windowed: ReferenceServer;
const key = 'sk-cancel';
const otherKey = 'sk-cancel-other';
const windowMs = 200;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    seed: 5,
    apiKeys: [key, otherKey],
    logger: silentServerLogger,
  });
  windowed = await startReferenceServer({
    port: 0,
    apiKeys: [key],
    resumeWindowMs: windowMs,
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await server.close();
  await windowed.close();
});

// Four interleaved choices of 4,000 tokens: long enough (about a second) to be stopped mid-way.
const longStream = { ...longChat, max_tokens: 4000, n: 4 };
const longStreamTokens = 4000 * 4;

interface OpenStream {
  headers: IncomingHttpHeaders;
  events: ServerSentEvent[];
  /** Resolves once `count` events arrived. */
  received(count: number): Promise<void>;
  /** Closes the socket, as a client that stops reading does. */
  close(): void;
  /** The whole body once the response ended (or broke). */
  ended: Promise<{ text: string; complete: boolean }>;
}

/** Opens a streaming POST and hands over the live response, so a test can act mid-stream. */
function openStream(
  target: ReferenceServer,
  body: unknown,
  headers: Record<string, string>,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...bearer(key), ...headers },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      const waiters: { count: number; resolve: () => void }[] = [];
      const open: OpenStream = {
        headers: response.headers,
        events: [],
        received: (count) =>
          new Promise((done) => {
            if (open.events.length >= count) done();
            else waiters.push({ count, resolve: done });
          }),
        close: () => request.destroy(),
        ended: new Promise((done) => {
          response.on('close', () => done({ text, complete: response.complete }));
        }),
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        open.events = parseEventStream(text.slice(0, text.lastIndexOf('\n\n') + 2));
        for (const waiter of waiters.filter((each) => open.events.length >= each.count)) waiter.resolve();
      });
      response.on('error', () => {});
      resolve(open);
    });
    request.end(JSON.stringify(body));
  });
}

const cancel = (target: ReferenceServer, headers: Record<string, string>, body?: string) =>
  requestJson(`${target.url}/v1/streams/cancel`, {
    method: 'POST',
    headers: { ...bearer(key), ...headers },
    ...(body === undefined ? {} : { rawBody: body }),
  });

async function usageOf(target: ReferenceServer, apiKey = key) {
  return (await requestJson(`${target.url}/v1/usage`, { headers: bearer(apiKey) })).body.data as {
    idempotency_key: string | null;
    request_id: string;
    status: string;
    usage: { output_tokens: number };
  }[];
}

describe('x-aiaas-stream-cancel advert', () => {
  it('is on keyed streams (opening and resume), not on unkeyed streams or JSON answers', async () => {
    const post = (body: unknown, headers: Record<string, string>) =>
      rawRequest(`${server.url}/v1/chat/completions`, { body, headers: { ...bearer(key), ...headers } });
    const opening = await post(longChat, { 'idempotency-key': 'advert-1' });
    expect(opening.headers['x-aiaas-stream-cancel']).toBe('/v1/streams/cancel');
    const resumed = await post(longChat, { 'idempotency-key': 'advert-1', 'last-event-id': '2' });
    expect(resumed.status).toBe(200);
    expect(resumed.headers['x-aiaas-stream-cancel']).toBe('/v1/streams/cancel');
    const unkeyed = await post(longChat, {});
    expect(unkeyed.status).toBe(200);
    expect(unkeyed.headers['x-aiaas-stream-cancel']).toBeUndefined();
    const json = await post(
      { ...longChat, stream: false, stream_options: undefined },
      { 'idempotency-key': 'advert-2' },
    );
    expect(json.status).toBe(200);
    expect(json.headers['x-aiaas-stream-cancel']).toBeUndefined();
  });
});

describe('POST /v1/streams/cancel', () => {
  it('stops a running generation and answers with its billing record, the one /v1/usage lists', async () => {
    const before = await usageOf(server);
    const open = await openStream(server, longStream, { 'idempotency-key': 'cancel-1' });
    expect(open.headers['x-aiaas-stream-cancel']).toBe('/v1/streams/cancel');
    // Past the four choices' role chunks, so tokens have been generated.
    await open.received(12);
    const answer = await cancel(server, { 'idempotency-key': 'cancel-1', 'last-event-id': '12' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: 'stream.cancellation',
      idempotency_key: 'cancel-1',
      state: 'cancelled',
      last_event_id: 12,
    });
    const record = answer.body.record;
    expect(record.status).toBe('aborted');
    expect(record.idempotency_key).toBe('cancel-1');
    expect(record.usage.output_tokens).toBeGreaterThan(0);
    expect(record.usage.output_tokens).toBeLessThan(longStreamTokens);
    // The socket still reading gets what was recorded, then the stream ends: no [DONE].
    const ended = await open.ended;
    expect(ended.complete).toBe(true);
    expect(ended.text).not.toContain('[DONE]');
    const after = await usageOf(server);
    // One record more: the stream's. The cancel ran no model and is not billed.
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((entry) => entry.idempotency_key === 'cancel-1')).toEqual(record);
  });

  it('after the client closed its socket: cancel twice, same answer, one record; a resume replays and ends', async () => {
    const open = await openStream(server, longStream, { 'idempotency-key': 'cancel-2' });
    await open.received(1);
    open.close();
    const first = await cancel(server, { 'idempotency-key': 'cancel-2' });
    expect(first.status).toBe(200);
    expect(first.body.state).toBe('cancelled');
    expect(first.body.last_event_id).toBeNull();
    expect(first.body.record.usage.output_tokens).toBeLessThan(longStreamTokens);
    const second = await cancel(server, { 'idempotency-key': 'cancel-2' }, '{}');
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);

    const resumed = await rawRequest(`${server.url}/v1/chat/completions`, {
      body: longStream,
      headers: { ...bearer(key), 'idempotency-key': 'cancel-2', 'last-event-id': '1' },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.broken).toBe(false);
    expect(resumed.headers['x-aiaas-stream-cancel']).toBe('/v1/streams/cancel');
    const tail = eventsOf(resumed);
    expect(tail[0]!.id).toBe('2');
    expect(tail.at(-1)!.data).not.toBe('[DONE]');
    const records = (await usageOf(server)).filter((entry) => entry.idempotency_key === 'cancel-2');
    expect(records).toEqual([first.body.record]);
  });

  it('returns the record of a stream that already ended without stopping anything', async () => {
    const whole = await rawRequest(`${server.url}/v1/chat/completions`, {
      body: longChat,
      headers: { ...bearer(key), 'idempotency-key': 'cancel-done' },
    });
    expect(eventsOf(whole).at(-1)!.data).toBe('[DONE]');
    const answer = await cancel(server, { 'idempotency-key': 'cancel-done' });
    expect(answer.status).toBe(200);
    expect(answer.body.state).toBe('completed');
    expect(answer.body.record.status).toBe('ok');
    expect(answer.body.record.usage.output_tokens).toBe(longChat.max_tokens);
    const listed = (await usageOf(server)).filter((entry) => entry.idempotency_key === 'cancel-done');
    expect(listed).toEqual([answer.body.record]);
  });

  it('is 404 stream_not_found for an unknown key and for another tenant, whose stream runs on', async () => {
    const unknown = await cancel(server, { 'idempotency-key': 'never-streamed' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'stream_not_found', param: 'idempotency-key' });

    const open = await openStream(
      server,
      { ...longChat, max_tokens: 400 },
      { 'idempotency-key': 'cancel-mine' },
    );
    const stranger = await requestJson(`${server.url}/v1/streams/cancel`, {
      method: 'POST',
      headers: { ...bearer(otherKey), 'idempotency-key': 'cancel-mine' },
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('stream_not_found');
    const ended = await open.ended;
    expect(ended.text).toContain('[DONE]');
    expect(await usageOf(server, otherKey)).toEqual([]);
  });

  it('refuses a missing key, a bad Last-Event-ID and a body that is not a JSON object with 400', async () => {
    const missing = await cancel(server, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ param: 'idempotency-key', code: 'missing_idempotency_key' });
    const badId = await cancel(server, { 'idempotency-key': 'cancel-done', 'last-event-id': 'seven' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('invalid_last_event_id');
    for (const body of ['[]', '"stop"', '{not json']) {
      const answer = await cancel(server, { 'idempotency-key': 'cancel-done' }, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.type).toBe('invalid_request_error');
    }
    const unauthenticated = await requestJson(`${server.url}/v1/streams/cancel`, {
      method: 'POST',
      headers: { 'idempotency-key': 'cancel-done' },
    });
    expect(unauthenticated.status).toBe(401);
    const oip = await requestJson(`${server.url}/v2/streams/cancel`, {
      method: 'POST',
      headers: { ...bearer(key), 'idempotency-key': 'cancel-done' },
    });
    expect(oip.status).toBe(404);
  });
});

describe('resume window', () => {
  it('stops a stream nobody follows or resumes within the window, billed for what it generated', async () => {
    const cut = await rawRequest(`${windowed.url}/v1/chat/completions`, {
      body: longStream,
      headers: { ...bearer(key), 'idempotency-key': 'window-1', 'x-aiaas-fault': 'drop_after=2;times=1' },
    });
    expect(cut.broken).toBe(true);
    const [record] = await eventually(async () => {
      const records = (await usageOf(windowed)).filter((entry) => entry.idempotency_key === 'window-1');
      return records.length > 0 ? records : undefined;
    });
    expect(record!.status).toBe('aborted');
    expect(record!.usage.output_tokens).toBeLessThan(longStreamTokens);
    const late = await cancel(windowed, { 'idempotency-key': 'window-1' });
    expect(late.body.state).toBe('cancelled');
    expect(late.body.record).toEqual(record);
  });

  it('lets a resume within the window continue the generation to its end', async () => {
    // One choice of 4,000 tokens takes several windows to generate.
    const body = { ...longChat, max_tokens: 4000 };
    const headers = { ...bearer(key), 'idempotency-key': 'window-2' };
    const cut = await rawRequest(`${windowed.url}/v1/chat/completions`, {
      body,
      headers: { ...headers, 'x-aiaas-fault': 'drop_after=2;times=1' },
    });
    expect(cut.broken).toBe(true);
    const resumed = await rawRequest(`${windowed.url}/v1/chat/completions`, {
      body,
      headers: { ...headers, 'last-event-id': '2' },
    });
    expect(eventsOf(resumed).at(-1)!.data).toBe('[DONE]');
    const records = (await usageOf(windowed)).filter((entry) => entry.idempotency_key === 'window-2');
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe('ok');
    expect(records[0]!.usage.output_tokens).toBe(4000);
  });

  it('is validated and has a serve flag', async () => {
    await expect(
      startReferenceServer({ port: 0, resumeWindowMs: 0, logger: silentServerLogger }),
    ).rejects.toThrow(/resumeWindowMs/);
    expect(parseServeArguments(['--resume-window-ms', '500'])).toMatchObject({ resumeWindowMs: 500 });
    expect(() => parseServeArguments(['--resume-window-ms', '0'])).toThrow(/--resume-window-ms/);
  });
});
