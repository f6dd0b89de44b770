import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  AiaasError,
  apiErrorFor,
  ConnectionError,
  TimeoutError,
} from '../../src/errors/index.js';
import {
  type AttemptContext,
  abortableSleep,
  defaultRetryPolicy,
  idempotencyHeaders,
  type RetryEvent,
  type RetryOptions,
  resolveIdempotencyKey,
  runWithRetry,
  type Sleep,
} from '../../src/retry/index.js';

interface SeenRequest {
  path: string;
  key: string | undefined;
  at: number;
}

const seen: SeenRequest[] = [];
const attemptsByKey = new Map<string, number>();

function answerError(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  code: string,
) {
  const body = {
    error: { message: `Test server answered ${status}.`, type: 'test_error', param: null, code },
  };
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_test', ...headers });
  response.end(JSON.stringify(body));
}

/** Each path is one scripted fault; "times" count attempts of one logical call (one Idempotency-Key). */
function handle(incoming: IncomingMessage, response: ServerResponse) {
  const path = incoming.url ?? '/';
  const key = incoming.headers['idempotency-key'] as string | undefined;
  seen.push({ path, key, at: performance.now() });
  const attempt = (attemptsByKey.get(`${path} ${key}`) ?? 0) + 1;
  attemptsByKey.set(`${path} ${key}`, attempt);
  if (path === '/rate-limited-twice' && attempt <= 2)
    return answerError(response, 429, { 'retry-after-ms': '100' }, 'rate_limit');
  if (path === '/bad-request') return answerError(response, 400, {}, 'invalid_request');
  if (path === '/reset-once' && attempt === 1) return incoming.socket.destroy();
  if (path === '/down-do-not-retry')
    return answerError(response, 503, { 'x-should-retry': 'false' }, 'overloaded');
  if (path === '/retry-in-two-minutes')
    return answerError(response, 429, { 'retry-after': '120' }, 'rate_limit');
  if (path === '/down-retry-later')
    return answerError(response, 503, { 'retry-after-ms': '300' }, 'overloaded');
  if (path === '/hang') return;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ ok: true, attempt }));
}

let server: Server;
let baseURL: string;
const agent = new Agent({ keepAliveTimeout: 1_000 });

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await agent.close();
});

/** One attempt over a real socket, mapping statuses to APIError and socket failures to ConnectionError. */
async function post(path: string, context: AttemptContext): Promise<{ ok: boolean; attempt: number }> {
  try {
    const response = await request(`${baseURL}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...idempotencyHeaders('POST', context.idempotencyKey) },
      body: JSON.stringify({ model: 'ref-chat', prompt: 'hi' }),
      signal: context.signal,
    });
    const data = (await response.body.json()) as { error?: { message: string; code: string } };
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [name, String(value)]),
    );
    if (response.statusCode >= 400) {
      throw apiErrorFor(data.error?.message ?? 'error', {
        status: response.statusCode,
        headers,
        body: data,
        code: data.error?.code,
        requestId: headers['x-request-id'],
      });
    }
    return data as { ok: boolean; attempt: number };
  } catch (error) {
    if (AiaasError.isInstance(error)) throw error;
    if (context.signal.aborted) throw new AbortError(undefined, { cause: error });
    throw new ConnectionError(`The connection failed: ${(error as Error).message}`, {
      phase: 'headers',
      cause: error,
    });
  }
}

function call(path: string, options: RetryOptions = {}) {
  const idempotencyKey = resolveIdempotencyKey('POST');
  const run = runWithRetry((context) => post(path, context), {
    policy: defaultRetryPolicy({ baseDelay: 10 }),
    idempotencyKey,
    ...options,
  });
  return { run, idempotencyKey };
}

/** The default sleep, recording each wait it begins. */
function recordingSleep(sleeps: number[]): Sleep {
  return (milliseconds, signal) => {
    sleeps.push(milliseconds);
    return abortableSleep(milliseconds, signal);
  };
}

function requestsTo(path: string, key: string | undefined): SeenRequest[] {
  return seen.filter((entry) => entry.path === path && entry.key === key);
}

describe('runWithRetry over real sockets', () => {
  it('succeeds on attempt 3 after two 429s, waiting retry-after-ms each time, with one Idempotency-Key', async () => {
    const events: RetryEvent[] = [];
    const { run, idempotencyKey } = call('/rate-limited-twice', { onRetry: (event) => events.push(event) });
    await expect(run).resolves.toEqual({ ok: true, attempt: 3 });
    const requests = requestsTo('/rate-limited-twice', idempotencyKey);
    expect(requests).toHaveLength(3);
    expect(idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(requests.map((entry) => entry.key))).toEqual(new Set([idempotencyKey]));
    expect(events.map((event) => [event.attempt, event.delayMs, event.error.status])).toEqual([
      [1, 100, 429],
      [2, 100, 429],
    ]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(100);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(100);
  });

  it('does not retry a 400', async () => {
    const { run, idempotencyKey } = call('/bad-request');
    await expect(run).rejects.toMatchObject({ status: 400, attempts: 1, retryStopReason: 'not-retryable' });
    expect(requestsTo('/bad-request', idempotencyKey)).toHaveLength(1);
  });

  it('retries a socket the server destroyed, with the same key', async () => {
    const { run, idempotencyKey } = call('/reset-once');
    await expect(run).resolves.toEqual({ ok: true, attempt: 2 });
    expect(requestsTo('/reset-once', idempotencyKey)).toHaveLength(2);
  });

  it('does not retry a 503 marked x-should-retry: false', async () => {
    const { run, idempotencyKey } = call('/down-do-not-retry');
    await expect(run).rejects.toMatchObject({ status: 503, attempts: 1, retryStopReason: 'not-retryable' });
    expect(requestsTo('/down-do-not-retry', idempotencyKey)).toHaveLength(1);
  });

  it('stops at once when the server says retry-after: 120', async () => {
    const sleeps: number[] = [];
    const { run, idempotencyKey } = call('/retry-in-two-minutes', { sleep: recordingSleep(sleeps) });
    await expect(run).rejects.toMatchObject({
      status: 429,
      attempts: 1,
      retryStopReason: 'server-delay-too-long',
    });
    // At once: no wait was begun, of two minutes or any other length.
    expect(sleeps).toEqual([]);
    expect(requestsTo('/retry-in-two-minutes', idempotencyKey)).toHaveLength(1);
  });

  it('does not start a wait that would pass the deadline', async () => {
    const sleeps: number[] = [];
    const { run, idempotencyKey } = call('/down-retry-later', {
      deadline: 200,
      sleep: recordingSleep(sleeps),
    });
    await expect(run).rejects.toMatchObject({ status: 503, attempts: 1, retryStopReason: 'deadline' });
    expect(sleeps).toEqual([]);
    expect(requestsTo('/down-retry-later', idempotencyKey)).toHaveLength(1);
  });

  it('cuts an attempt that is still waiting for the server when the deadline passes', async () => {
    // The server never answers: only the deadline can end this call (the test would time out).
    const { run } = call('/hang', { deadline: 150 });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'deadline' });
  });
});
