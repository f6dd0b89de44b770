import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AiaasClient,
  BadRequestError,
  InternalServerError,
  type RetryEvent,
  type ServerUsageRecord,
} from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

let server: ReferenceServer;
let client: AiaasClient;
const params = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'How is the union?' }],
  max_tokens: 8,
  seed: 4,
};
const fault = (directive: string) => ({ headers: { 'x-aiaas-fault': directive } });

const reference = useTestReferenceServer({ pricing: 'server' });

async function billingRecords(idempotencyKey: string): Promise<ServerUsageRecord[]> {
  return (await fetchServerUsage(server.url)).data.filter(
    (record) => record.idempotency_key === idempotencyKey,
  );
}

beforeAll(() => {
  server = reference.server;
  client = reference.client();
});

describe('retries against aiaas/server faults', () => {
  it('status=429;retry_after_ms=100;times=2 succeeds on attempt 3, waiting the server delay, billed once', async () => {
    const retries: RetryEvent[] = [];
    const started = performance.now();
    const { attempts, cost } = await client.chat.completions
      .create(params, {
        ...fault('status=429;retry_after_ms=100;times=2'),
        idempotencyKey: 'fault-429',
        onRetry: (event) => retries.push(event),
      })
      .withResponse();
    expect(attempts).toBe(3);
    expect(retries.map((event) => [event.attempt, event.delayMs, event.error.status])).toEqual([
      [1, 100, 429],
      [2, 100, 429],
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    const records = await billingRecords('fault-429');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ attempt: 3, status: 'ok' });
    expect(cost?.toDecimalString()).toBe(records[0]?.cost.amount);
    const entries = await client.ledger.entries({ idempotencyKey: 'fault-429' });
    expect(entries.map((entry) => entry.attempt)).toEqual([3]);
  });

  it('status=400 is not retried', async () => {
    const error = await client.chat.completions
      .create(params, { ...fault('status=400'), idempotencyKey: 'fault-400' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'not-retryable' });
    expect(await client.ledger.entries({ idempotencyKey: 'fault-400' })).toHaveLength(0);
  });

  it('reset;times=1 is retried and succeeds on attempt 2', async () => {
    const { attempts } = await client.chat.completions
      .create(params, { ...fault('reset;times=1'), idempotencyKey: 'fault-reset' })
      .withResponse();
    expect(attempts).toBe(2);
    expect(await billingRecords('fault-reset')).toHaveLength(1);
  });

  it('should_retry=false on a 503 is not retried', async () => {
    const error = await client.chat.completions
      .create(params, { ...fault('status=503;should_retry=false'), maxRetries: 4 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'not-retryable' });
    expect((error as Error).message).toContain('x-should-retry: false');
  });
});
