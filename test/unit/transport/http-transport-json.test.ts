import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, ValidationError } from '../../../src/errors/index.js';
import type { Middleware } from '../../../src/transport/transport-types.js';
import { sendJson } from '../../support/dialect-test-server.js';
import { failureOf } from '../../support/failure-of.js';
import { useHttpTransport } from '../../support/http-transport-fixture.js';

const { server, agent, transport } = useHttpTransport();

/** A promise of the next request the server receives on `path` (a route that never answers until the client leaves). */
function arrivalOn(method: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    server.route(method, path, async (_request, response) => {
      resolve();
      await once(response, 'close');
    });
  });
}

describe('HttpTransport JSON calls', () => {
  it('sends JSON, reads JSON, captures x-request-id and reuses the socket', async () => {
    server.route('POST', '/echo', (request, response) =>
      sendJson(response, 200, { got: JSON.parse(request.body) }, { 'x-request-id': 'req-42' }),
    );
    const before = server.connections;
    const http = transport();
    const first = await http.requestJson({ method: 'POST', url: `${server.url}/echo`, body: { a: 1 } });
    // The pool takes the socket back a moment after the body is read.
    await vi.waitFor(() => expect(agent.stats[server.url]).toMatchObject({ free: 1 }), {
      timeout: 5_000,
      interval: 5,
    });
    const second = await http.requestJson({ method: 'POST', url: `${server.url}/echo`, body: { a: 2 } });
    expect(first.data).toEqual({ got: { a: 1 } });
    expect(second.response).toMatchObject({ status: 200, requestId: 'req-42' });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(server.connections - before).toBe(1);
  });

  it('gives undefined for an empty 2xx body and a ValidationError for a non-JSON one', async () => {
    server.route('GET', '/empty', (_request, response) => response.writeHead(200).end());
    server.route('GET', '/html', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html', 'x-request-id': 'req-html' });
      response.end('<html><body>Sign in to the Wi-Fi</body></html>');
    });
    expect(
      (await transport().requestJson({ method: 'GET', url: `${server.url}/empty` })).data,
    ).toBeUndefined();
    const error = await failureOf(transport().requestJson({ method: 'GET', url: `${server.url}/html` }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(
      /Expected JSON from GET .*\/html but got text\/html: "<html><body>Sign in.*request id req-html/,
    );
    expect((error as ValidationError).requestId).toBe('req-html');
  });

  it('maps a refused connection to ConnectionError in the connect phase', async () => {
    const error = await failureOf(transport().requestJson({ method: 'GET', url: 'http://127.0.0.1:1/x' }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED', retryable: true });
  });

  it('maps a socket closed before the headers to ConnectionError in the headers phase', async () => {
    server.route('GET', '/hangup', (_request, response) => response.socket?.destroy());
    const error = await failureOf(transport().requestJson({ method: 'GET', url: `${server.url}/hangup` }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ phase: 'headers', retryable: true });
  });

  it('maps a body cut short to ConnectionError in the body phase', async () => {
    server.route('GET', '/cut', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      // The cut comes after the headers and the partial body have left.
      response.write('{"partial":', () => response.socket?.destroy());
    });
    const error = await failureOf(transport().requestJson({ method: 'GET', url: `${server.url}/cut` }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ phase: 'body' });
    expect(String((error as Error).message)).not.toMatch(/^terminated$/);
  });

  it('times out waiting for headers, then for the body, saying which', async () => {
    // A server slower than the timeouts, in its headers and then in its body.
    server.route('GET', '/slow-headers', async (_request, response) => {
      await sleep(400);
      sendJson(response, 200, {});
    });
    server.route('GET', '/slow-body', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
      await sleep(400);
      response.end('}');
    });
    const headers = await failureOf(
      transport({ timeout: 100 }).requestJson({ method: 'GET', url: `${server.url}/slow-headers` }),
    );
    expect(headers).toBeInstanceOf(TimeoutError);
    expect(headers).toMatchObject({ phase: 'headers', timeoutMs: 100, retryable: true });
    const body = await failureOf(
      transport().requestJson({ method: 'GET', url: `${server.url}/slow-body` }, { timeout: 150 }),
    );
    expect(body).toBeInstanceOf(TimeoutError);
    expect(body).toMatchObject({ phase: 'body', timeoutMs: 150 });
  });

  it('maps the caller aborting to AbortError, even before sending', async () => {
    const arrived = arrivalOn('GET', '/wait');
    const controller = new AbortController();
    const pending = transport().requestJson(
      { method: 'GET', url: `${server.url}/wait` },
      { signal: controller.signal },
    );
    await arrived;
    controller.abort();
    const error = await failureOf(pending);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).retryable).toBe(false);
    const early = await failureOf(
      transport().requestJson({ method: 'GET', url: `${server.url}/wait` }, { signal: AbortSignal.abort() }),
    );
    expect(early).toBeInstanceOf(AbortError);
  });

  it('behind middleware, hands it a real AbortSignal that the attempt timeout and the caller fire', async () => {
    // A server that never answers: only the timeout, then the caller, can end the call.
    server.route('GET', '/stall', (_request, response) => once(response, 'close'));
    const seen: AbortSignal[] = [];
    // Spreads the request, as middleware that adds a header does: the signal must survive the copy.
    const spreading: Middleware = (next) => (request) => {
      seen.push(request.signal);
      return next({ ...request, headers: { ...request.headers, 'x-extra': '1' } });
    };
    const timedOut = await failureOf(
      transport({ middleware: [spreading], timeout: 80 }).requestJson({
        method: 'GET',
        url: `${server.url}/stall`,
      }),
    );
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut).toMatchObject({ phase: 'headers', timeoutMs: 80 });
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.aborted).toBe(true);

    const arrived = arrivalOn('GET', '/stall');
    const controller = new AbortController();
    const pending = transport({ middleware: [spreading] }).requestJson(
      { method: 'GET', url: `${server.url}/stall` },
      { signal: controller.signal },
    );
    await arrived;
    controller.abort();
    expect(await failureOf(pending)).toBeInstanceOf(AbortError);
    expect(seen[1]?.aborted).toBe(true);
    expect(server.requests.at(-1)?.headers['x-extra']).toBe('1');
  });

  it('counts the request bytes from the one serialisation it sends', async () => {
    server.route('POST', '/count', (request, response) =>
      sendJson(response, 200, { received: Buffer.byteLength(request.body) }),
    );
    const body = { text: 'héllo wörld — ✓', list: [1, 2, 3] };
    const { data, response } = await transport().requestJson({
      method: 'POST',
      url: `${server.url}/count`,
      body,
    });
    const sent = Buffer.byteLength(JSON.stringify(body));
    expect(data).toEqual({ received: sent });
    expect(response.bodyBytes).toEqual({
      sent,
      received: Buffer.byteLength(JSON.stringify({ received: sent })),
    });
  });
});
