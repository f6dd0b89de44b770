import { describe, expect, it } from 'vitest';
import {
  type CallAttempt,
  type CallRunOptions,
  createRetryCallRunner,
} from '../../../src/client/call-runner.js';
import { InternalServerError } from '../../../src/errors/index.js';
import { defaultRetryPolicy } from '../../../src/retry/retry-policy.js';
import { RetryThrottleRegistry } from '../../../src/retry/retry-throttle.js';
import { createRedactor } from '../../../src/transport/redactor.js';
import { createSdkLogger } from '../../../src/transport/sdk-logger.js';

const logger = createSdkLogger(console, 'off', createRedactor([]));

function options(overrides: Partial<CallRunOptions> = {}): CallRunOptions {
  return {
    operation: 'test',
    maxRetries: 2,
    timeout: 10_000,
    deadline: undefined,
    policy: defaultRetryPolicy(),
    onRetry: undefined,
    signal: undefined,
    idempotencyKey: 'key-1',
    ...overrides,
  };
}

const busy = () =>
  new InternalServerError('busy', { status: 503, headers: { 'retry-after-ms': '0' }, body: undefined });

describe('the retry call runner', () => {
  it('passes the per-attempt timeout through when there is no deadline', async () => {
    const run = createRetryCallRunner({
      baseURL: 'http://a.test',
      throttles: new RetryThrottleRegistry(),
      logger,
    });
    const seen: CallAttempt[] = [];
    await run(async (attempt) => seen.push(attempt), options());
    expect(seen[0]).toMatchObject({ attempt: 1, idempotencyKey: 'key-1', timeout: 10_000 });
  });

  it('cuts each attempt timeout to what is left of the deadline (and gives one to "no timeout")', async () => {
    const run = createRetryCallRunner({
      baseURL: 'http://a.test',
      throttles: new RetryThrottleRegistry(),
      logger,
    });
    const timeouts: number[] = [];
    await run(async (attempt) => timeouts.push(attempt.timeout), options({ deadline: 500 }));
    await run(async (attempt) => timeouts.push(attempt.timeout), options({ deadline: 300, timeout: 0 }));
    expect(timeouts[0]).toBeGreaterThan(400);
    expect(timeouts[0]).toBeLessThanOrEqual(500);
    expect(timeouts[1]).toBeGreaterThan(200);
    expect(timeouts[1]).toBeLessThanOrEqual(300);
  });

  it('keeps the idempotency key on every attempt and shares one throttle per origin', async () => {
    const throttles = new RetryThrottleRegistry({ maxTokens: 10 });
    const run = createRetryCallRunner({ baseURL: 'http://a.test/v1', throttles, logger });
    const keys: (string | undefined)[] = [];
    const failing = run(
      async (attempt) => {
        keys.push(attempt.idempotencyKey);
        throw busy();
      },
      options({ maxRetries: 5 }),
    );
    const error = await failing.catch((caught: unknown) => caught);
    // 10 tokens pay two retries of 5; the third is refused.
    expect(error).toMatchObject({ retryStopReason: 'throttled', attempts: 3 });
    expect(new Set(keys)).toEqual(new Set(['key-1']));
    expect(throttles.for('http://a.test').tokens).toBe(0);
  });
});
