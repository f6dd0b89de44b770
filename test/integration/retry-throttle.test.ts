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
const agent = new Agent({ connections: 32 });

beforeAll(async () => {
  // A provider in a full outage: every request fails with a retryable 503.
  server = createServer((_incoming, response) => {
    requestsSeen++;
    response.writeHead(503, { 'content-type': 'application/json' });
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
  if (response.statusCode >= 400) throw apiErrorFor('Overloaded.', { status: response.statusCode, body });
  return body;
}

/** Runs `calls` logical calls at once with maxRetries 2; returns the requests the server saw and the stop reasons. */
async function storm(calls: number, throttle: RetryThrottle | undefined) {
  requestsSeen = 0;
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
  // Bucket arithmetic (maxTokens 10, each failure −1, retries only while tokens > 10 / 2 = 5):
  // with no successes the tokens only fall, so only the failures that leave 9, 8, 7 or 6 tokens
  // may be followed by a retry — at most 4 retries in all, whatever the interleaving.
  // Attempts ≤ 20 first attempts + 4 retries = 24, against (maxRetries 2 + 1) × 20 = 60 unthrottled.
  it('20 concurrent calls make at most 24 attempts (20 + 4 retries), far below (2 + 1) × 20 = 60', async () => {
    const registry = new RetryThrottleRegistry();
    const { requests, reasons } = await storm(20, registry.for(baseURL));
    expect(requests).toBeGreaterThanOrEqual(20);
    expect(requests).toBeLessThanOrEqual(24);
    expect(reasons.filter((reason) => reason === 'throttled').length).toBeGreaterThanOrEqual(16);
    expect(reasons.every((reason) => reason === 'throttled' || reason === 'max-retries')).toBe(true);
  });

  it('without a throttle the same outage costs the full (2 + 1) × 20 = 60 attempts', async () => {
    const { requests, reasons } = await storm(20, undefined);
    expect(requests).toBe(60);
    expect(new Set(reasons)).toEqual(new Set(['max-retries']));
  });
});
