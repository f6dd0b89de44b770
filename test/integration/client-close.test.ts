import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import type { AiaasClientOptions } from '../../src/client/aiaas-client-options.js';
import { AbortError, InvalidOptionError } from '../../src/errors/index.js';
import { StreamTimeoutError } from '../../src/streaming/index.js';
import { createAgent } from '../../src/transport/create-agent.js';
import { failureOf } from '../support/failure-of.js';
import {
  type SocketWatchingServer,
  startSocketWatchingServer,
  type WatchedRequest,
} from '../support/socket-watching-server.js';

let server: SocketWatchingServer;
const clients: AiaasClient[] = [];
let releaseHeld: () => void = () => undefined;
const params = { model: 'ref-chat', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 8 };

const completion = {
  id: 'chatcmpl-held',
  object: 'chat.completion',
  created: 1,
  model: 'ref-chat',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

function firstEvent(): string {
  const data = {
    id: 'chatcmpl-started',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'ref-chat',
    choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
  };
  // No `id:`: a stalled stream cannot be resumed, so a timeout ends it.
  return `data: ${JSON.stringify(data)}\n\n`;
}

/**
 * `x-scenario` picks the server's behaviour: `stall` (the default) sends a stream's headers
 * and then nothing, or nothing at all to a JSON call; `started` sends one event, then nothing;
 * `held` answers a JSON call once the test releases it.
 */
function answer(request: WatchedRequest, response: ServerResponse): void {
  const scenario = request.headers['x-scenario'] ?? 'stall';
  const streaming = (JSON.parse(request.body) as { stream?: boolean }).stream === true;
  if (scenario === 'held') {
    releaseHeld = () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion));
    };
    return;
  }
  if (!streaming) return;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req-${scenario}` });
  response.flushHeaders();
  if (scenario === 'started') response.write(firstEvent());
}

function newClient(options: AiaasClientOptions = {}): AiaasClient {
  const client = new AiaasClient({
    baseURL: `${server.url}/v1`,
    apiKey: 'sk-test',
    logLevel: 'off',
    ...options,
  });
  clients.push(client);
  return client;
}

/** The server's record of the `count`-th request from now on, once it has arrived. */
async function nextRequests(count: number): Promise<WatchedRequest[]> {
  const from = server.requests.length;
  await vi.waitFor(() => expect(server.requests.length).toBeGreaterThanOrEqual(from + count), {
    timeout: 10_000,
  });
  return server.requests.slice(from, from + count);
}

beforeAll(async () => {
  server = await startSocketWatchingServer();
  server.handle(answer);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => server.close());

describe('stalled streams end', () => {
  it('a stream that sends headers and then nothing fails at its first-token timeout and closes its socket', async () => {
    // The default is 60 s (asserted with fake timers in the streaming tests); a small one proves the real stall.
    const client = newClient({ firstTokenTimeout: 250, maxRetries: 0 });
    const arrived = nextRequests(1);
    const error = await failureOf(client.chat.completions.stream(params));
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error).toMatchObject({ timer: 'first-token', timeoutMs: 250, phase: 'stream' });
    const [request] = await arrived;
    await request?.socketClosed;
  });

  it('a stream that stalls after its first event fails at its idle timeout, and keeps its ledger entry', async () => {
    const client = newClient({ idleTimeout: 250, maxRetries: 0 });
    const arrived = nextRequests(1);
    const stream = await client.chat.completions.stream(params, { headers: { 'x-scenario': 'started' } });
    const texts: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const text of stream.text()) texts.push(text);
      })(),
    );
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error).toMatchObject({ timer: 'idle', timeoutMs: 250, partial: ['Hel'] });
    expect(texts).toEqual(['Hel']);
    const [request] = await arrived;
    await request?.socketClosed;
    expect(await client.ledger.entries()).toMatchObject([{ status: 'error', requestId: 'req-started' }]);
  });
});

describe('client.close()', () => {
  it('aborts a stalled stream and a stalled JSON call in flight with AbortError, and the server sees both sockets close', async () => {
    // Default options: nothing but close() would end these two for a minute and ten minutes.
    const client = newClient();
    const arrived = nextRequests(2);
    const stream = client.chat.completions.stream(params);
    const call = client.chat.completions.create(params);
    const requests = await arrived;
    const closing = client.close();
    expect(client.close()).toBe(closing);
    const [streamError, callError] = await Promise.all([failureOf(stream), failureOf(call)]);
    for (const error of [streamError, callError]) {
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ code: 'client_closed', retryable: false });
      expect((error as Error).message).toMatch(
        /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions was aborted: the client was closed\./,
      );
    }
    await closing;
    await Promise.all(requests.map((request) => request.socketClosed));
    // Both requests were sent, so either may have been billed (issue 15): `close()` waited for
    // their charges, recorded as aborted, estimated at the most they could cost.
    const entries = await client.ledger.entries();
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry.status).toBe('aborted');
      expect(entry.usage.outputTokens.provenance).toBe('estimated');
    }
    // Later calls fail at once, without a request.
    const before = server.requests.length;
    await expect(client.chat.completions.create(params)).rejects.toMatchObject({ code: 'client_closed' });
    await expect(client.chat.completions.stream(params)).rejects.toMatchObject({ code: 'client_closed' });
    expect(server.requests).toHaveLength(before);
  });

  it('aborts a stream being read, which still writes its ledger entry as aborted', async () => {
    const client = newClient();
    const arrived = nextRequests(1);
    const stream = await client.chat.completions.stream(params, { headers: { 'x-scenario': 'started' } });
    const reading = failureOf(
      (async () => {
        for await (const _event of stream);
      })(),
    );
    const [request] = await arrived;
    await client.close();
    const error = await reading;
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: 'client_closed', phase: 'stream' });
    await expect(stream.final()).rejects.toBe(error);
    await request?.socketClosed;
    const [entry, ...others] = await client.ledger.entries();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ status: 'aborted', requestId: 'req-started' });
    expect(entry?.usage.outputTokens).toMatchObject({ provenance: 'estimated' });
  });

  it('lets a call in flight finish within graceMs, and returns as soon as nothing is left', async () => {
    const client = newClient();
    const arrived = nextRequests(1);
    const held = client.chat.completions.create(params, { headers: { 'x-scenario': 'held' } });
    await arrived;
    // Ten minutes of grace: were close() to wait them out, the test would time out.
    const closing = client.close({ graceMs: 600_000 });
    releaseHeld();
    expect((await held).choices[0]?.message.content).toBe('hello');
    await closing;
    await expect(client.models.list()).rejects.toMatchObject({ code: 'client_closed' });
  });

  it('aborts what is still in flight when the grace ends', async () => {
    const client = newClient();
    const arrived = nextRequests(1);
    const stalled = client.chat.completions.create(params);
    const [request] = await arrived;
    const closing = client.close({ graceMs: 100 });
    expect(await failureOf(stalled)).toMatchObject({ name: 'AbortError', code: 'client_closed' });
    await closing;
    await request?.socketClosed;
  });

  it('refuses a bad grace, and leaves an injected dispatcher open', async () => {
    const dispatcher = createAgent();
    const client = newClient({ dispatcher });
    await expect(client.close({ graceMs: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(client.close({ graceMs: -1 })).rejects.toThrow(
      'Invalid close option `graceMs`: got -1; expected a number of milliseconds ≥ 0.',
    );
    await client.close();
    expect(dispatcher.closed).toBe(false);
    await dispatcher.close();
  });
});
