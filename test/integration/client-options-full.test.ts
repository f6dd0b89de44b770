import { afterAll, describe, expect, it } from 'vitest';
import { chat } from '../../src/builders/chat-builder.js';
import { Budget } from '../../src/cost/budget.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { defaultRetryPolicy } from '../../src/retry/retry-policy.js';
import { createTelemetryMiddleware } from '../../src/telemetry/index.js';
import { createAgent } from '../../src/transport/create-agent.js';
import type { Middleware } from '../../src/transport/transport-types.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';

const reference = useTestReferenceServer();
const dispatcher = createAgent({ connections: 2 });
afterAll(() => dispatcher.close());

describe('every client option at once', () => {
  it('a client given a valid value for every option works against the reference server', async () => {
    const lines: string[] = [];
    const seen: Record<string, string>[] = [];
    const recordHeaders: Middleware = (next) => (request) => {
      seen.push({ ...request.headers });
      return next(request);
    };
    const retries: unknown[] = [];
    const ledger = new Ledger();
    const budget = new Budget({ limits: [{ limit: Money.of('5', 'USD') }] });
    const client = reference.client({
      provider: 'openai',
      timeout: 30_000,
      deadline: 60_000,
      maxRetries: 2,
      retryPolicy: defaultRetryPolicy({ baseDelay: 10 }),
      onRetry: (event) => retries.push(event),
      retryThrottle: { maxTokens: 100 },
      idempotencyHeader: 'Idempotency-Key',
      firstTokenTimeout: 20_000,
      idleTimeout: 20_000,
      maxResumes: 2,
      maxResponseBytes: 8 * 1024 * 1024,
      pricing: 'server',
      ledger,
      budget,
      costBounds: { 'ref-*': { maxInputBytes: 100_000, maxOutputBytes: 1_000_000, maxComputeMs: 10_000 } },
      tags: { suite: 'options' },
      apiKeyId: 'key-options',
      defaultHeaders: { 'x-suite': 'options' },
      dispatcher,
      connections: 2,
      logger: {
        debug: () => undefined,
        info: (message: string) => lines.push(message),
        warn: (message: string) => lines.push(message),
        error: (message: string) => lines.push(message),
      },
      logArgumentOrder: 'message-first',
      logLevel: 'info',
      middleware: [recordHeaders],
      telemetry: createTelemetryMiddleware(),
    });

    const created = await client.chat.completions
      .create(chat('ref-chat').user('Say hi').maxTokens(8), { tags: { call: 'create' } })
      .withResponse();
    expect(created.data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(created.cost?.isZero()).toBe(false);

    const stream = await client.chat.completions.stream(
      chat('ref-chat').user('Count to three').maxTokens(8),
      {
        maxResponseBytes: 1024 * 1024,
        idleTimeout: 10_000,
      },
    );
    const final = await stream.final();
    expect(final.usage.provenance).toBe('reported');

    const entries = await ledger.entries();
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.status === 'ok' && entry.apiKeyId === 'key-options')).toBe(true);
    expect(entries[0]?.tags).toMatchObject({ suite: 'options', call: 'create' });
    const [status] = await budget.status();
    expect(status?.spent.isZero()).toBe(false);
    expect(status?.reserved.isZero()).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((headers) => headers['x-suite'] === 'options')).toBe(true);
    expect(lines.some((line) => line.startsWith('[aiaas] POST '))).toBe(true);
    expect(retries).toEqual([]);
    await client.close();
    // The injected dispatcher stays its owner's.
    expect(dispatcher.closed).toBe(false);
  });
});
