import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import {
  AbortError,
  BadRequestError,
  InternalServerError,
  ValidationError,
} from '../../../src/errors/index.js';
import {
  type DialectTestServer,
  sendJson,
  startDialectTestServer,
} from '../../support/dialect-test-server.js';

let server: DialectTestServer;
const completion = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
};

beforeAll(async () => {
  server = await startDialectTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

function flaky(failures: number, status = 503) {
  let seen = 0;
  return (_request: unknown, response: import('node:http').ServerResponse) => {
    seen++;
    if (seen <= failures)
      sendJson(response, status, { error: { message: `attempt ${seen} failed` } }, { 'retry-after-ms': '5' });
    else sendJson(response, 200, completion);
  };
}

describe('call attempts', () => {
  it('retries a retryable status with the same Idempotency-Key on every attempt', async () => {
    server.route('POST', '/v1/chat/completions', flaky(2));
    const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', maxRetries: 2, logLevel: 'off' });
    const result = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await client.close();
    expect(result.choices[0]?.message.content).toBe('ok');
    const keys = server.requests.map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives up after maxRetries, and never retries a 400', async () => {
    server.route('POST', '/v1/chat/completions', flaky(5));
    const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', maxRetries: 1, logLevel: 'off' });
    const params = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    await expect(client.chat.completions.create(params)).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    server.route('POST', '/v1/chat/completions', flaky(5, 400));
    await expect(client.chat.completions.create(params, { maxRetries: 3 })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(server.requests).toHaveLength(1);
    await client.close();
  });

  it('uses the caller idempotency key and per-call headers', async () => {
    server.route('POST', '/v1/chat/completions', flaky(0));
    const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', logLevel: 'off' });
    await client.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      {
        idempotencyKey: 'my-key-1',
        headers: { 'x-team': 'search' },
      },
    );
    await client.close();
    expect(server.requests[0]?.headers['idempotency-key']).toBe('my-key-1');
    expect(server.requests[0]?.headers['x-team']).toBe('search');
  });

  it('rejects bad params before any socket is opened', async () => {
    const before = server.connections;
    const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', logLevel: 'off' });
    const bad = [
      client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 3,
      }),
      client.chat.completions.create({ model: 'm', messages: [] }),
      client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
      client.embeddings.create({ model: 'e', input: [] as string[] }),
      client.completions.create({ model: 'm', prompt: 'x', n: 0 }),
      client.tokenize({ prompt: 7 } as never),
      client.models.retrieve(''),
    ];
    const errors = await Promise.all(bad.map((promise) => promise.catch((error: unknown) => error)));
    await client.close();
    for (const error of errors) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).subject).toBe('request');
    }
    expect((errors[0] as ValidationError).path).toBe('temperature');
    expect((errors[2] as ValidationError).path).toBe('stream');
    expect(server.connections).toBe(before);
    expect(server.requests).toHaveLength(0);
  });

  it('stops retrying when the caller aborts during the backoff', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendJson(response, 503, { error: { message: 'busy' } }, { 'retry-after-ms': '10000' }),
    );
    const client = new AiaasClient({ baseURL: server.url, apiKey: 'k', maxRetries: 5, logLevel: 'off' });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      // onRetry comes just before the 10 s backoff: abort once that wait has begun.
      { signal: controller.signal, onRetry: () => setImmediate(() => controller.abort()) },
    );
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
    await client.close();
  });
});
