import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { resolveServerOptions } from '../../src/server/server-options.js';
import { errorDialectProblem } from './support/error-dialect.js';
import { sendRaw } from './support/raw-http.js';
import { slowClient } from './support/slow-client.js';

// Extends server-errors.test.ts (413 for a declared or chunked body, 400 for non-HTTP): here
// header size, the limit under auth and the pipeline, and slow clients.
const apiKey = 'sk-limits-0123456789';
const bodyLimitBytes = 32 * 1024;
const headersTimeoutMs = 300;
const requestTimeoutMs = 600;
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [apiKey],
    logger: silentServerLogger,
    bodyLimitBytes,
    headersTimeoutMs,
    requestTimeoutMs,
    rateLimits: { tokensPerMinute: 1_000_000_000 },
  });
});
afterAll(() => server.close());

const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

/** Sends raw request bytes on a fresh socket and reads the answer until the server closes. */
function rawExchange(text: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

describe('header and body size limits', () => {
  it('answers a 64 KiB header with 431 and an x-request-id, then keeps serving', async () => {
    const answer = await rawExchange(
      `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/x-request-id: req_/);
    const many = Array.from({ length: 3000 }, (_, index) => `X-H${index}: v\r\n`).join('');
    expect(await rawExchange(`GET /v1/models HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).toMatch(
      /^HTTP\/1\.1 (431|400) /,
    );
    const models = await sendRaw(server.url, { method: 'GET', path: '/v1/models', headers: auth });
    expect(models.status).toBe(200);
  });

  it('answers a body over the limit with 413 in each dialect, past auth, rate limits and idempotency', async () => {
    const oversized = Buffer.from(JSON.stringify({ model: 'ref-embed', input: 'x'.repeat(bodyLimitBytes) }));
    for (const path of [
      '/v1/embeddings',
      '/v1/chat/completions',
      '/tokenize',
      '/v2/models/ref-classify/infer',
    ]) {
      const answer = await sendRaw(server.url, {
        method: 'POST',
        path,
        headers: { ...auth, 'idempotency-key': `big-${path}` },
        body: oversized,
      });
      expect(answer.status, path).toBe(413);
      expect(errorDialectProblem(path, answer), path).toBeUndefined();
    }
    const underLimit = Buffer.from(
      JSON.stringify({ model: 'ref-embed', input: 'x'.repeat(bodyLimitBytes / 2) }),
    );
    expect(
      (await sendRaw(server.url, { method: 'POST', path: '/v1/embeddings', headers: auth, body: underLimit }))
        .status,
    ).toBe(200);
  });
});

describe('slow clients', () => {
  it('closes a connection that trickles its headers and never finishes them (slow loris)', async () => {
    const result = await slowClient(server.url, {
      head: '',
      trickle: 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      intervalMs: 40,
      giveUpMs: 5_000,
    });
    // Closed by the server's headers timeout: not before it, and not by the client giving up (5 s).
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.answer).toContain('request_timeout');
  });

  it('closes a connection that sends its headers but trickles its body', async () => {
    const head = `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n`;
    const result = await slowClient(server.url, {
      head,
      trickle: '{"model":"ref-embed","input":"',
      intervalMs: 40,
      giveUpMs: 5_000,
    });
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(requestTimeoutMs - 50);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('does not cut a slow answer: the timeouts cover receiving the request, not streaming the response', async () => {
    const startedAt = Date.now();
    const answer = await sendRaw(server.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { ...auth, 'x-aiaas-fault': 'chunk_delay_ms=80' },
      body: Buffer.from(
        JSON.stringify({
          model: 'ref-chat',
          messages: [{ role: 'user', content: 'jobs' }],
          max_tokens: 12,
          stream: true,
        }),
      ),
    });
    expect(Date.now() - startedAt).toBeGreaterThan(requestTimeoutMs);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('data: [DONE]');
  });

  it('defaults to 10 s for headers and 60 s for a whole request, and refuses impossible settings', () => {
    const defaults = resolveServerOptions({});
    expect(defaults.headersTimeoutMs).toBe(10_000);
    expect(defaults.requestTimeoutMs).toBe(60_000);
    expect(resolveServerOptions({ headersTimeoutMs: 90_000 }).requestTimeoutMs).toBe(90_000);
    expect(() => resolveServerOptions({ headersTimeoutMs: 0 })).toThrow(/headersTimeoutMs/);
    expect(() => resolveServerOptions({ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).toThrow(
      /at least/,
    );
  });
});
