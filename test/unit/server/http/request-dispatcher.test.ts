import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.js';
import type { ResponseOutcome } from '../../../../src/server/http/request-context.js';
import { createRequestDispatcher } from '../../../../src/server/http/request-dispatcher.js';
import type { RequestInterceptor } from '../../../../src/server/http/request-pipeline.js';
import { eventStreamResponse, jsonResponse } from '../../../../src/server/http/route-response.js';
import { RouteTable } from '../../../../src/server/http/route-table.js';
import type { UsageSnapshot } from '../../../../src/server/http/usage-meter.js';

const finished: { path: string; outcome: ResponseOutcome; usage: UsageSnapshot }[] = [];
const order: string[] = [];
const errors: string[] = [];

const recordFinish: RequestInterceptor = (context, next) => {
  context.onFinished((outcome) =>
    finished.push({ path: context.path, outcome, usage: context.meter.snapshot() }),
  );
  return next(context);
};
const outer: RequestInterceptor = async (context, next) => {
  order.push('outer before');
  const response = await next(context);
  order.push('outer after');
  return { ...response, headers: { ...response.headers, 'x-outer': 'yes' } };
};
const inner: RequestInterceptor = (context, next) => {
  order.push('inner');
  if (context.header('x-deny') === 'yes') throw new HttpError(403, 'Denied by an interceptor.');
  return next(context);
};

let server: Server;
let url: string;
beforeAll(async () => {
  const routes = new RouteTable([
    {
      method: 'POST',
      path: '/echo',
      handle: async (context) => jsonResponse({ echoed: await context.readJson() }),
    },
    { method: 'GET', path: '/bug', handle: async () => JSON.parse('{') },
    {
      method: 'GET',
      path: '/v2/stream',
      handle: async () =>
        eventStreamResponse(
          (async function* () {
            yield 'one';
            yield 'two';
          })(),
        ),
    },
  ]);
  const dispatch = createRequestDispatcher({
    routes,
    interceptors: [recordFinish, outer, inner],
    bodyLimitBytes: 1024,
    logger: { info() {}, warn() {}, error: (message, fields) => errors.push(`${message} ${fields?.error}`) },
    closing: new AbortController().signal,
  });
  server = createServer((request, response) => void dispatch(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createRequestDispatcher', () => {
  it('runs interceptors outermost first and lets them change the answer', async () => {
    order.length = 0;
    const response = await fetch(`${url}/echo`, { method: 'POST', body: '{"a":1}' });
    expect(await response.json()).toEqual({ echoed: { a: 1 } });
    expect(response.headers.get('x-outer')).toBe('yes');
    expect(order).toEqual(['outer before', 'inner', 'outer after']);
    const denied = await fetch(`${url}/echo`, { method: 'POST', body: '{}', headers: { 'x-deny': 'yes' } });
    expect(denied.status).toBe(403);
  });

  it('meters request and response bytes and reports the outcome when the response closes', async () => {
    finished.length = 0;
    const body = '{"text":"hello"}';
    const response = await fetch(`${url}/echo`, { method: 'POST', body });
    const text = await response.text();
    const stream = await fetch(`${url}/v2/stream`);
    const events = await stream.text();
    // The outcome is reported when the response closes, a moment after the client has the body.
    await vi.waitFor(() => expect(finished).toHaveLength(2), { timeout: 5_000, interval: 5 });
    expect(finished.map((entry) => entry.path)).toEqual(['/echo', '/v2/stream']);
    expect(finished[0]!.usage.bytesIn).toBe(body.length);
    expect(finished[0]!.usage.bytesOut).toBe(Buffer.byteLength(text));
    expect(finished[0]!.outcome).toEqual({ status: 200, disconnected: false });
    expect(events).toBe('id: 1\ndata: one\n\nid: 2\ndata: two\n\n');
    expect(finished[1]!.usage.bytesOut).toBe(Buffer.byteLength(events));
  });

  it('turns a bug into a 500 that reveals nothing but the request id, and logs it', async () => {
    const response = await fetch(`${url}/bug`);
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id')!;
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe(`The server failed on this request (request id ${requestId}).`);
    expect(errors.some((line) => line.includes('SyntaxError'))).toBe(true);
  });
});
