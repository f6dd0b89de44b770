import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AiaasClient,
  BadRequestError,
  InternalServerError,
  RateLimitError,
  type RetryEvent,
  type RetryPolicy,
  TimeoutError,
} from '../../src/index.js';
import {
  type DialectTestServer,
  type RecordedRequest,
  sendJson,
  startDialectTestServer,
} from '../support/dialect-test-server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const params = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }], max_tokens: 4 };
const completion = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
};

let server: DialectTestServer;
/** When each request arrived (performance.now()), in order. */
let arrivals: number[] = [];
const clients: AiaasClient[] = [];

function newClient(options: ConstructorParameters<typeof AiaasClient>[0] = {}): AiaasClient {
  const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', logLevel: 'off', ...options });
  clients.push(client);
  return client;
}

/** Answers the first `failures` requests with `fail`, the rest with the completion. */
function failing(failures: number, fail: (response: ServerResponse, request: RecordedRequest) => void) {
  let seen = 0;
  return (request: RecordedRequest, response: ServerResponse) => {
    arrivals.push(performance.now());
    seen += 1;
    if (seen <= failures) fail(response, request);
    else sendJson(response, 200, completion);
  };
}

/** A slow server: waits `milliseconds`, or less if the client goes away first (so no timer outlives the test). */
function heldOpen(response: ServerResponse, milliseconds: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    response.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const keysSeen = () => server.requests.map((request) => request.headers['idempotency-key']);

beforeAll(async () => {
  server = await startDialectTestServer();
});
afterEach(async () => {
  server.requests.length = 0;
  arrivals = [];
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => server.close());

describe('retries through the client', () => {
  it('waits retry-after-ms on 429 twice, then succeeds on attempt 3 with one idempotency key', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(2, (response) =>
        sendJson(response, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '50' }),
      ),
    );
    const client = newClient({ maxRetries: 2 });
    const { data, attempts } = await client.chat.completions.create(params).withResponse();
    expect(data.choices[0]?.message.content).toBe('ok');
    expect(attempts).toBe(3);
    const keys = keysSeen();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID_V4);
    for (let index = 1; index < arrivals.length; index += 1) {
      expect(arrivals[index]! - arrivals[index - 1]!).toBeGreaterThanOrEqual(50);
    }
    const entries = await client.ledger.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ attempt: 3, idempotencyKey: keys[0], status: 'ok' });
  });

  it('does not retry a 400, and says so on the error', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(5, (response) => sendJson(response, 400, { error: { message: 'bad' } })),
    );
    const client = newClient({ maxRetries: 3 });
    const error = await client.chat.completions.create(params).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
    expect(await client.ledger.entries()).toHaveLength(0);
  });

  it('retries a connection reset', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(1, (response) => response.socket?.destroy()),
    );
    // The default policy: a reset is a ConnectionError, retried after a jittered backoff (≤ 500 ms).
    const client = newClient({ maxRetries: 1 });
    const { attempts } = await client.chat.completions.create(params).withResponse();
    expect(attempts).toBe(2);
    expect(new Set(keysSeen()).size).toBe(1);
  });

  it('respects x-should-retry: false on a 503, and x-should-retry: true on a 400', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(5, (response) =>
        sendJson(response, 503, { error: { message: 'deploying' } }, { 'x-should-retry': 'false' }),
      ),
    );
    const client = newClient({ maxRetries: 3 });
    await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);

    server.requests.length = 0;
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(1, (response) =>
        sendJson(
          response,
          400,
          { error: { message: 'try again' } },
          { 'x-should-retry': 'true', 'retry-after-ms': '1' },
        ),
      ),
    );
    expect((await client.chat.completions.create(params).withResponse()).attempts).toBe(2);
  });

  it('stops at the deadline instead of sleeping past it', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(5, (response) =>
        sendJson(response, 503, { error: { message: 'busy' } }, { 'retry-after-ms': '3000' }),
      ),
    );
    const retries: RetryEvent[] = [];
    const client = newClient({ maxRetries: 5, deadline: 200, onRetry: (event) => retries.push(event) });
    const error = await client.chat.completions.create(params).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ retryStopReason: 'deadline', attempts: 1 });
    // onRetry comes right before a wait: none was begun.
    expect(retries).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('cuts an attempt timeout to what is left of the deadline', async () => {
    server.route('POST', '/v1/chat/completions', async (_request, response) => {
      await heldOpen(response, 20_000);
      if (!response.destroyed) sendJson(response, 200, completion);
    });
    const client = newClient({ timeout: 30_000 });
    const started = performance.now();
    const error = await client.chat.completions
      .create(params, { deadline: 150 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    // Cut near the 150 ms deadline: far sooner than the server (20 s) or the attempt timeout (30 s).
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('uses a replaced retry policy, calls onRetry, and sends the key under a renamed header', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(2, (response) => sendJson(response, 400, { error: { message: 'flaky' } })),
    );
    const clientEvents: RetryEvent[] = [];
    const callEvents: RetryEvent[] = [];
    const retryAll: RetryPolicy = { shouldRetry: () => true, delay: (_error, attempt) => attempt * 5 };
    const client = newClient({
      idempotencyHeader: 'X-Request-Key',
      onRetry: (event) => clientEvents.push(event),
    });
    const { attempts } = await client.chat.completions
      .create(params, {
        retryPolicy: retryAll,
        onRetry: (event) => callEvents.push(event),
        idempotencyKey: 'call-key-1',
      })
      .withResponse();
    expect(attempts).toBe(3);
    expect(clientEvents.map((event) => [event.attempt, event.delayMs])).toEqual([
      [1, 5],
      [2, 10],
    ]);
    expect(callEvents).toHaveLength(2);
    expect(clientEvents[0]?.error).toBeInstanceOf(BadRequestError);
    expect(server.requests.map((request) => request.headers['x-request-key'])).toEqual([
      'call-key-1',
      'call-key-1',
      'call-key-1',
    ]);
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('gives up after maxRetries with the count on the error', async () => {
    server.route(
      'POST',
      '/v1/chat/completions',
      failing(9, (response) =>
        sendJson(response, 429, { error: { message: 'no' } }, { 'retry-after-ms': '1' }),
      ),
    );
    const client = newClient({ maxRetries: 1 });
    const error = await client.chat.completions
      .create(params, { maxRetries: 2 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ attempts: 3, retryStopReason: 'max-retries' });
    expect(server.requests).toHaveLength(3);
  });
});

describe('streams through the retry layer', () => {
  const events = [
    { choices: [{ index: 0, delta: { role: 'assistant', content: 'He' }, finish_reason: null }] },
    { choices: [{ index: 0, delta: { content: 'llo' }, finish_reason: 'stop' }] },
    { choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
  ];
  const body = `${events
    .map(
      (event, index) =>
        `id: ${index + 1}\ndata: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 1, model: 'm', ...event })}\n\n`,
    )
    .join('')}data: [DONE]\n\n`;

  it('retries an error status before the first event with the same key', async () => {
    let served = 0;
    server.route('POST', '/v1/chat/completions', (_request, response) => {
      served += 1;
      if (served === 1) {
        sendJson(response, 503, { error: { message: 'warming up' } }, { 'retry-after-ms': '1' });
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(body);
    });
    const client = newClient();
    const stream = await client.chat.completions.stream(params);
    const final = await stream.final();
    expect(final.choices[0]?.message.content).toBe('Hello');
    expect(stream.attempts).toBe(2);
    const keys = keysSeen();
    expect(keys).toEqual([stream.idempotencyKey, stream.idempotencyKey]);
    expect(JSON.parse(server.requests[1]!.body).stream_options).toEqual({ include_usage: true });
  });

  it('retries a stream that stalls before its first event (first-token timeout)', async () => {
    let served = 0;
    server.route('POST', '/v1/chat/completions', async (_request, response) => {
      served += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (served === 1) {
        response.write(': keep-alive\n\n');
        await heldOpen(response, 20_000);
        response.end();
        return;
      }
      response.end(body);
    });
    const client = newClient({
      retryPolicy: { shouldRetry: (error) => error instanceof TimeoutError, delay: () => 0 },
    });
    const started = performance.now();
    const stream = await client.chat.completions.stream(params, { firstTokenTimeout: 100 });
    // Retried after the 100 ms first-token timeout, not after the first attempt's 20 s stall.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(stream.attempts).toBe(2);
    expect((await stream.final()).choices[0]?.message.content).toBe('Hello');
    const entries = await client.ledger.entries();
    expect(entries.map((entry) => [entry.attempt, entry.status])).toEqual([[2, 'ok']]);
  });
});
