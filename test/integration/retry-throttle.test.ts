import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasError, apiErrorFor } from '../../src/errors/index.js';
import {
  type AttemptContext,
  defaultRetryPolicy,
  idempotencyHeaders,
  type RetryThrottle,
  RetryThrottleRegistry,
  resolveIdempotencyKey,
  runWithRetry,
} from '../../src/retry/index.js';

let server: Server;
let baseURL: string;
let requestsSeen = 0;
/** Sent with each 503 when set: the server pacing its clients instead of simply failing. */
let retryAfterMs: number | undefined;
const agent = new Agent({ connections: 32 });

beforeAll(async () => {
  // A provider in a full outage: every request fails with a retryable 503.
  server = createServer((_incoming, response) => {
    requestsSeen++;
    const pacing = retryAfterMs === undefined ? {} : { 'retry-after-ms': String(retryAfterMs) };
    response.writeHead(503, { 'content-type': 'application/json', ...pacing });
    response.end(
      JSON.stringify({ error: { message: 'Overloaded.', type: 'server_error', param: null, code: null } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await agent.close();
});

async function post(context: AttemptContext): Promise<unknown> {
  const response = await request(`${baseURL}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...idempotencyHeaders('POST', context.idempotencyKey) },
    body: '{"model":"ref-chat"}',
    signal: context.signal,
  });
  const body = await response.body.json();
  if (response.statusCode >= 400) {
    const headers = Object.fromEntries(
      Object.entries(response.headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name, value]] : [],
      ),
    );
    throw apiErrorFor('Overloaded.', { status: response.statusCode, body, headers });
  }
  return body;
}

/** Runs `calls` logical calls at once with maxRetries 2; returns the requests the server saw and the stop reasons. */
async function storm(calls: number, throttle: RetryThrottle | undefined, pacedMs?: number) {
  requestsSeen = 0;
  retryAfterMs = pacedMs;
  const outcomes = await Promise.allSettled(
    Array.from({ length: calls }, () =>
      runWithRetry(post, {
        maxRetries: 2,
        policy: defaultRetryPolicy({ baseDelay: 10 }),
        idempotencyKey: resolveIdempotencyKey('POST'),
        throttle,
        origin: baseURL,
      }),
    ),
  );
  const reasons = outcomes.map((outcome) =>
    outcome.status === 'rejected' && AiaasError.isInstance(outcome.reason)
      ? outcome.reason.retryStopReason
      : 'other',
  );
  return { requests: requestsSeen, reasons };
}

describe('retry throttling against a failing provider', () => {
  // Bucket arithmetic (maxTokens 50, each retry takes 5, nothing is given back without a
  // success): at most floor(50 / 5) = 10 retries in all, whatever the interleaving; 20 calls
  // want 40, so the bucket runs dry at exactly 20 first attempts + 10 retries = 30 attempts,
  // against (maxRetries 2 + 1) × 20 = 60 unthrottled.
  it('20 concurrent calls with a 50-token bucket make exactly 20 + 50 / 5 = 30 attempts, not (2 + 1) × 20 = 60', async () => {
    const registry = new RetryThrottleRegistry({ maxTokens: 50 });
    const { requests, reasons } = await storm(20, registry.for(baseURL));
    expect(requests).toBe(30);
    // At most 10 retries: at most 5 calls got both of theirs, the other 15 or more were throttled.
    expect(reasons.filter((reason) => reason === 'throttled').length).toBeGreaterThanOrEqual(15);
    expect(reasons.every((reason) => reason === 'throttled' || reason === 'max-retries')).toBe(true);
  });

  // The default bucket (500 tokens, 100 retries) is sized for real concurrency: a small outage
  // costs its callers nothing; only a storm larger than 100 retries is cut short.
  it('the default bucket lets 20 calls take all 40 retries: 60 attempts', async () => {
    const { requests, reasons } = await storm(20, new RetryThrottleRegistry().for(baseURL));
    expect(requests).toBe(60);
    expect(new Set(reasons)).toEqual(new Set(['max-retries']));
  });

  it('a 503 with retry-after-ms is the server pacing, not failing: the 50-token bucket lets all 60 attempts through', async () => {
    const throttle = new RetryThrottleRegistry({ maxTokens: 50 }).for(baseURL);
    const { requests, reasons } = await storm(20, throttle, 5);
    expect(requests).toBe(60);
    expect(new Set(reasons)).toEqual(new Set(['max-retries']));
    expect(throttle.tokens).toBe(50);
  });

  it('without a throttle the same outage costs the full (2 + 1) × 20 = 60 attempts', async () => {
    const { requests, reasons } = await storm(20, undefined);
    expect(requests).toBe(60);
    expect(new Set(reasons)).toEqual(new Set(['max-retries']));
  });
});
