import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError, InternalServerError, ResponseTooLargeError } from '../../../src/errors/index.js';
import { createAgent } from '../../../src/transport/create-agent.js';
import { HttpTransport } from '../../../src/transport/http-transport.js';
import { createRedactor } from '../../../src/transport/redactor.js';
import { defaultMaxResponseBytes } from '../../../src/transport/response-size-limit.js';
import { createSdkLogger } from '../../../src/transport/sdk-logger.js';
import { failureOf } from '../../support/failure-of.js';
import {
  type SocketWatchingServer,
  startSocketWatchingServer,
  writeUntilClosed,
} from '../../support/socket-watching-server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const mebibyte = 1024 * 1024;
// A client that never stopped reading would get this much before the server gives up.
const safetyBytes = 128 * mebibyte;
// What the server may have handed its socket beyond what the client read: kernel buffers on
// both ends and the client's read-ahead. Far below the safety stop, so a client that read on is caught.
const slackBytes = 32 * mebibyte;
const agent = createAgent();
let server: SocketWatchingServer;
let writes: Promise<{ bytesWritten: number; closedByPeer: boolean }>[] = [];

function transport(maxResponseBytes?: number) {
  const redactor = createRedactor([]);
  return new HttpTransport({
    dispatcher: agent,
    timeout: 30_000,
    defaultHeaders: { accept: 'application/json' },
    middleware: [],
    logger: createSdkLogger(silent, 'off', redactor),
    redactor,
    ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
  });
}

/** An endless JSON array body: `[{"n":0},{"n":1},…` that never closes. */
function endlessJson(response: import('node:http').ServerResponse, headers: Record<string, string> = {}) {
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-big', ...headers });
  let index = 0;
  const filler = 'x'.repeat(1000);
  const write = writeUntilClosed(
    response,
    () => `${index++ === 0 ? '[' : ','}{"n":${index},"text":"${filler}"}`,
    safetyBytes,
  );
  writes.push(write.done);
}

beforeAll(async () => {
  server = await startSocketWatchingServer();
});
afterEach(() => {
  writes = [];
});
afterAll(async () => {
  await server.close();
  await agent.close();
});

describe('response size limits', () => {
  it('an endless JSON body fails with ResponseTooLargeError after the limit, and its socket is closed', async () => {
    server.handle((_request, response) => endlessJson(response));
    const closedBefore = server.closedSockets;
    const error = await failureOf(
      transport(mebibyte).requestJson({ method: 'POST', url: `${server.url}/big`, body: { a: 1 } }),
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      code: 'response_too_large',
      phase: 'body',
      limitBytes: mebibyte,
      retryable: false,
      status: 200,
      requestId: 'req-big',
      sentBytes: Buffer.byteLength('{"a":1}'),
    });
    const tooLarge = error as ResponseTooLargeError;
    expect(tooLarge.receivedBytes).toBeGreaterThan(mebibyte);
    expect(tooLarge.message).toMatch(
      /^The response body of POST http:\/\/127\.0\.0\.1:\d+\/big \(request id req-big\) is larger than `maxResponseBytes`, 1 MiB \(1048576 bytes\): the client stopped reading after \d+ bytes and closed the connection\. Raise `maxResponseBytes`/,
    );
    const written = await writes[0];
    expect(written?.closedByPeer).toBe(true);
    expect(written?.bytesWritten).toBeLessThan(mebibyte + slackBytes);
    await vi.waitFor(() => expect(server.closedSockets).toBeGreaterThan(closedBefore), { timeout: 10_000 });
  });

  it('a declared content-length over the limit fails before a byte is read', async () => {
    server.handle((_request, response) => endlessJson(response, { 'content-length': String(2 ** 31) }));
    const error = await failureOf(
      transport(mebibyte).requestJson({ method: 'GET', url: `${server.url}/huge` }),
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ phase: 'body', receivedBytes: 0, limitBytes: mebibyte });
    expect((error as Error).message).toMatch(
      /its content-length declares 2147483648 bytes, so the client read none of it/,
    );
    const written = await writes[0];
    expect(written?.closedByPeer).toBe(true);
    expect(written?.bytesWritten).toBeLessThan(slackBytes);
  });

  it("a call's own limit wins over the transport's", async () => {
    server.handle((_request, response) => endlessJson(response));
    const http = transport();
    expect(http.maxResponseBytes).toBe(defaultMaxResponseBytes);
    const given = await failureOf(
      http.requestJson({ method: 'GET', url: `${server.url}/big` }, { maxResponseBytes: 64 * 1024 }),
    );
    expect(given).toMatchObject({ limitBytes: 64 * 1024 });
    for (const written of await Promise.all(writes)) expect(written.closedByPeer).toBe(true);
  });

  it('a body within the limit, declared or not, still parses; one byte over does not', async () => {
    const payload = JSON.stringify({ text: 'y'.repeat(1000) });
    const limit = Buffer.byteLength(payload);
    server.handle((request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        ...(request.path === '/declared' ? { 'content-length': String(limit) } : {}),
      });
      // Two writes: without a content-length the body goes out chunked.
      response.write(payload.slice(0, 100));
      response.end(payload.slice(100));
    });
    const exact = transport(limit);
    for (const path of ['/declared', '/chunked']) {
      const { data, response } = await exact.requestJson({ method: 'GET', url: `${server.url}${path}` });
      expect(data).toEqual(JSON.parse(payload));
      expect(response.bodyBytes?.received).toBe(limit);
    }
    for (const path of ['/declared', '/chunked']) {
      await expect(
        transport(limit - 1).requestJson({ method: 'GET', url: `${server.url}${path}` }),
      ).rejects.toBeInstanceOf(ResponseTooLargeError);
    }
  });

  it('an endless error body is read up to a snippet and its socket closed', async () => {
    server.handle((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      writes.push(writeUntilClosed(response, () => 'upstream exploded '.repeat(100), safetyBytes).done);
    });
    const error = await failureOf(transport().requestJson({ method: 'GET', url: `${server.url}/error` }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toMatch(/^500 Internal Server Error: upstream exploded/);
    const written = await writes[0];
    expect(written?.closedByPeer).toBe(true);
    expect(written?.bytesWritten).toBeLessThan(slackBytes);
  });

  it('a stream body hands on exactly the bytes within the limit, then fails and closes its socket', async () => {
    server.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-stream' });
      writes.push(
        writeUntilClosed(response, () => 'data: {"chunk":"zzzzzzzzzzzzzzzz"}\n\n', safetyBytes).done,
      );
    });
    const response = await transport(mebibyte).requestStream({
      method: 'POST',
      url: `${server.url}/stream`,
      body: {},
    });
    let handedOn = 0;
    const error = await failureOf(
      (async () => {
        for await (const chunk of response.body) handedOn += chunk.byteLength;
      })(),
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ phase: 'stream', limitBytes: mebibyte, requestId: 'req-stream' });
    expect(handedOn).toBe(mebibyte);
    expect(response.bodyByteCount?.received).toBeGreaterThanOrEqual(mebibyte);
    const written = await writes[0];
    expect(written?.closedByPeer).toBe(true);
    expect(written?.bytesWritten).toBeLessThan(mebibyte + slackBytes);
  });
});

describe('closing the transport', () => {
  it('aborts a request in flight with AbortError (client_closed), then refuses new ones without a socket', async () => {
    server.handle(() => undefined); // never answers: the request stalls until the client gives up
    const http = transport();
    const stalled = http.requestJson({ method: 'POST', url: `${server.url}/stall`, body: {} });
    await vi.waitFor(() => expect(server.requests.at(-1)?.path).toBe('/stall'), { timeout: 10_000 });
    const request = server.requests.at(-1);
    const closing = http.close();
    expect(http.close()).toBe(closing);
    const error = await failureOf(stalled);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: 'client_closed', retryable: false, phase: 'headers' });
    expect((error as Error).message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/stall was aborted: the client was closed\.$/,
    );
    await closing;
    // The server sees the stalled request's socket close.
    await request?.socketClosed;
    const requestsBefore = server.requests.length;
    await expect(http.requestJson({ method: 'GET', url: `${server.url}/later` })).rejects.toMatchObject({
      code: 'client_closed',
    });
    expect(server.requests).toHaveLength(requestsBefore);
  });
});
