import { setTimeout as sleep } from 'node:timers/promises';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError } from '../../../src/errors/index.js';
import { HttpTransport } from '../../../src/transport/http-transport.js';
import { createRedactor } from '../../../src/transport/redactor.js';
import { createSdkLogger } from '../../../src/transport/sdk-logger.js';
import type { Middleware } from '../../../src/transport/transport-types.js';
import { sendJson } from '../../support/dialect-test-server.js';
import { failureOf } from '../../support/failure-of.js';
import { useHttpTransport } from '../../support/http-transport-fixture.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const { server, transport } = useHttpTransport();

describe('HttpTransport streams', () => {
  it('hands over chunks as they arrive, never buffering the body', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.route('POST', '/stream', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-s' });
      response.write('data: one\n\n');
      await released;
      response.end('data: two\n\n');
    });
    const stream = await transport().requestStream({ method: 'POST', url: `${server.url}/stream`, body: {} });
    expect(stream).toMatchObject({ status: 200, requestId: 'req-s' });
    const decoder = new TextDecoder();
    const seen: string[] = [];
    for await (const chunk of stream.body) {
      seen.push(decoder.decode(chunk));
      if (seen.length === 1) release();
    }
    expect(seen.join('')).toBe('data: one\n\ndata: two\n\n');
  });

  it('applies the timeout to the headers only', async () => {
    server.route('POST', '/slow-stream', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('a');
      // A gap in the body longer than the timeout, which covers only the headers.
      await sleep(250);
      response.end('b');
    });
    const stream = await transport({ timeout: 100 }).requestStream({
      method: 'POST',
      url: `${server.url}/slow-stream`,
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('ab');
  });

  it('maps a stream cut mid-way to ConnectionError in the stream phase', async () => {
    server.route('POST', '/cut-stream', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // The cut comes after the first event has left.
      response.write('data: one\n\n', () => response.socket?.destroy());
    });
    const stream = await transport().requestStream({ method: 'POST', url: `${server.url}/cut-stream` });
    const error = await failureOf(
      (async () => {
        for await (const _chunk of stream.body) {
          // drain
        }
      })(),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ phase: 'stream', retryable: true });
  });

  it('maps the caller aborting mid-stream to AbortError', async () => {
    server.route('POST', '/endless', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 50 && !response.destroyed; index++) {
        response.write(`data: ${index}\n\n`);
        await sleep(20); // a model producing an event every 20 ms
      }
      response.end();
    });
    const controller = new AbortController();
    const stream = await transport().requestStream(
      { method: 'POST', url: `${server.url}/endless` },
      { signal: controller.signal },
    );
    const error = await failureOf(
      (async () => {
        for await (const _chunk of stream.body) controller.abort();
      })(),
    );
    expect(error).toBeInstanceOf(AbortError);
  });
});

describe('HttpTransport middleware and dispatchers', () => {
  it('runs middleware outermost first; they can add headers and observe responses', async () => {
    server.route('GET', '/headers', (request, response) =>
      sendJson(response, 200, { team: request.headers['x-team'] }),
    );
    const order: string[] = [];
    const outer: Middleware = (next) => async (request) => {
      order.push('outer in');
      const response = await next({ ...request, headers: { ...request.headers, 'x-team': 'search' } });
      order.push(`outer out ${response.status}`);
      return response;
    };
    const inner: Middleware = (next) => async (request) => {
      order.push(`inner in ${request.headers['x-team']}`);
      return next(request);
    };
    const { data } = await transport({ middleware: [outer, inner] }).requestJson({
      method: 'GET',
      url: `${server.url}/headers`,
    });
    expect(data).toEqual({ team: 'search' });
    expect(order).toEqual(['outer in', 'inner in search', 'outer out 200']);
  });

  it('lets a middleware answer without the network', async () => {
    const before = server.connections;
    const canned: Middleware = () => async () => ({
      status: 200,
      headers: { 'x-request-id': 'cached' },
      requestId: 'cached',
      body: (async function* () {
        yield new TextEncoder().encode('{"cached":true}');
      })(),
    });
    const result = await transport({ middleware: [canned] }).requestJson({
      method: 'GET',
      url: `${server.url}/anything`,
    });
    expect(result).toEqual({
      data: { cached: true },
      response: {
        status: 200,
        headers: { 'x-request-id': 'cached' },
        requestId: 'cached',
        bodyBytes: { sent: 0, received: '{"cached":true}'.length },
      },
    });
    expect(server.connections).toBe(before);
  });

  it('works with an injected undici MockAgent', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('http://models.test')
      .intercept({ path: '/v1/models', method: 'GET' })
      .reply(
        200,
        { ok: true },
        {
          headers: { 'x-request-id': 'mock-1' },
        },
      );
    const redactor = createRedactor([]);
    const http = new HttpTransport({
      dispatcher: mock,
      timeout: 1_000,
      defaultHeaders: {},
      middleware: [],
      logger: createSdkLogger(silent, 'off', redactor),
      redactor,
    });
    const result = await http.requestJson({ method: 'GET', url: 'http://models.test/v1/models' });
    expect(result.data).toEqual({ ok: true });
    expect(result.response.requestId).toBe('mock-1');
    await mock.close();
  });
});
