import { createServer } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AiaasClient,
  type AiaasClientOptions,
  AiaasError,
  ConnectionError,
  InternalServerError,
} from '../../src/index.js';
import { testApiKey, useTestReferenceServer } from '../support/reference-fixture.js';
import { scrapeMetrics } from './server-metrics-scrape.js';

// The client's retry throttle (one bucket per client and origin, AWS standard-mode numbers:
// 500 tokens, a retry costs 5, after a timeout 10) against aiaas/server's faults, counted by
// the server's own /metrics or, where no server answers, by the client's dispatcher.

const reference = useTestReferenceServer();
const params = { model: 'ref-chat', messages: [{ role: 'user' as const, content: 'Hi' }], max_tokens: 2 };
const fault = (directive: string) => ({ headers: { 'x-aiaas-fault': directive } });

/** The chat requests the server has answered with `status` (an injected fault, or `ok` for 200). */
async function answered(status: 200 | 429 | 503): Promise<number> {
  const reason = status === 200 ? 'ok' : 'injected_fault';
  const scrape = await scrapeMetrics(reference.url);
  return scrape.value('aiaas_requests_total', { model: 'ref-chat', status: String(status), reason });
}

/** Sends `calls` chat calls at once through `client`; returns how each ended. */
async function burst(client: AiaasClient, calls: number, directive: string) {
  const outcomes = await Promise.allSettled(
    Array.from({ length: calls }, () =>
      client.chat.completions.create(params, fault(directive)).withResponse(),
    ),
  );
  const completed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const errors = outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  const stopReasons = errors.map((error) =>
    AiaasError.isInstance(error) ? error.retryStopReason : 'foreign',
  );
  return { completed, errors, stopReasons };
}

const count = (values: readonly unknown[], value: unknown) => values.filter((each) => each === value).length;

describe('the retry throttle rides out rate limits', () => {
  it('50 concurrent calls, each answered once 429 with retry-after-ms 20, all complete on attempt 2 (default client)', async () => {
    const [before429, before200] = [await answered(429), await answered(200)];
    const { completed, errors } = await burst(reference.client(), 50, 'status=429;retry_after_ms=20;times=1');
    expect(errors).toEqual([]);
    expect(completed).toHaveLength(50);
    expect(completed.map((result) => result.attempts)).toEqual(Array.from({ length: 50 }, () => 2));
    expect((await answered(429)) - before429).toBe(50);
    expect((await answered(200)) - before200).toBe(50);
  });

  // A bucket with room for two charged retries (10 tokens, 5 each) shows what is charged: a 503
  // that says when to come back is pacing, free; a bare 503 is an outage, and drains the bucket.
  it('with a 10-token bucket, 50 calls against a paced 503 make all (2 + 1) × 50 = 150 attempts; a bare 503, 50 + 10 / 5 = 52', async () => {
    const small: AiaasClientOptions = {
      retryThrottle: { maxTokens: 10, timeoutRetryCost: 10 },
      maxRetries: 2,
    };
    const before = await answered(503);
    const paced = await burst(reference.client(small), 50, 'status=503;retry_after_ms=20');
    expect(paced.completed).toHaveLength(0);
    expect(count(paced.stopReasons, 'max-retries')).toBe(50);
    const afterPaced = await answered(503);
    expect(afterPaced - before).toBe(150);

    const bare = await burst(reference.client(small), 50, 'status=503');
    expect(bare.completed).toHaveLength(0);
    expect((await answered(503)) - afterPaced).toBe(52);
    expect(count(bare.stopReasons, 'throttled')).toBeGreaterThanOrEqual(49);
  });
});

describe('the retry throttle bounds the load on a provider that fails every request', () => {
  // Bound, from the default bucket: no call succeeds, so nothing is given back, and each retry
  // takes 5 of the 500 tokens: at most floor(500 / 5) = 100 retries across all 200 calls. The
  // calls want 200 × 2 = 400, so the bucket runs dry, and exactly 200 + 100 = 300 attempts are
  // made — half of the (2 + 1) × 200 = 600 an unthrottled client would make.
  const calls = 200;
  const bound = calls + Math.floor(500 / 5);

  it(`200 concurrent calls against status=503, maxRetries 2: the server answers ${bound} requests, not 600`, async () => {
    const before = await answered(503);
    const { completed, errors, stopReasons } = await burst(
      reference.client({ maxRetries: 2 }),
      calls,
      'status=503',
    );
    expect(completed).toHaveLength(0);
    expect(errors.every((error) => error instanceof InternalServerError && error.status === 503)).toBe(true);
    expect((await answered(503)) - before).toBe(bound);
    // At most 100 retries: at most 50 calls got both of theirs; the others were throttled.
    expect(count(stopReasons, 'throttled')).toBeGreaterThanOrEqual(calls - 50);
    expect(count(stopReasons, 'throttled') + count(stopReasons, 'max-retries')).toBe(calls);
    const throttled = errors.find((error) => (error as AiaasError).retryStopReason === 'throttled') as Error;
    expect(throttled.message).toMatch(/were throttled, because too many recent attempts failed \(\d+ of 500/);
  });

  describe('a refused connection', () => {
    let refusedUrl: string;
    let dispatched = 0;
    let dispatcher: Dispatcher;

    beforeAll(async () => {
      // A port that was just ours and is now closed: connecting to it is refused.
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const address = holder.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      await new Promise((resolve) => holder.close(resolve));
      refusedUrl = `http://127.0.0.1:${address.port}`;
      // Counts every request handed to the network: one per attempt.
      dispatcher = new Agent().compose((dispatch) => (options, handler) => {
        dispatched++;
        return dispatch(options, handler);
      });
    });
    afterAll(() => dispatcher.close());

    it(`200 concurrent calls, maxRetries 2: ${bound} requests reach the network, not 600`, async () => {
      const client = new AiaasClient({
        baseURL: refusedUrl,
        apiKey: testApiKey,
        logLevel: 'off',
        maxRetries: 2,
        dispatcher,
      });
      try {
        const { completed, errors, stopReasons } = await burst(client, calls, 'status=503');
        expect(completed).toHaveLength(0);
        expect(errors.every((error) => error instanceof ConnectionError)).toBe(true);
        expect(errors.map((error) => (error as ConnectionError).code)).toContain('ECONNREFUSED');
        expect(dispatched).toBe(bound);
        const attempts = errors.reduce<number>(
          (sum, error) => sum + ((error as AiaasError).attempts ?? 0),
          0,
        );
        expect(attempts).toBe(bound);
        expect(count(stopReasons, 'throttled')).toBeGreaterThanOrEqual(calls - 50);
      } finally {
        await client.close();
      }
    });
  });
});
