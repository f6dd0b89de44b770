import { describe, expect, it } from 'vitest';
import { AbortError, AiaasError, apiErrorFor } from '../../../src/errors/index.js';
import {
  type AttemptContext,
  type RetryEvent,
  RetryThrottle,
  runWithRetry,
} from '../../../src/retry/index.js';

// Attempt 1 runs outside p-retry (most calls succeed at once); these pin down that it behaves
// exactly as an attempt inside p-retry: the caller's signal checked before and after it, the
// throttle told of its outcome, and the attempts after it numbered and retried as before.

const unavailable = () => apiErrorFor('Service unavailable.', { status: 503 });
const noSleep = async () => {};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('runWithRetry, first attempt', () => {
  it('a success on attempt 1 makes one attempt and records one success with the throttle', async () => {
    const throttle = new RetryThrottle();
    throttle.tryTake(throttle.retryCost);
    const before = throttle.tokens;
    const contexts: AttemptContext[] = [];
    const result = await runWithRetry(
      async (context) => {
        contexts.push(context);
        return 42;
      },
      { idempotencyKey: 'key-1', throttle, deadline: 10_000 },
    );
    expect(result).toBe(42);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ attempt: 1, idempotencyKey: 'key-1' });
    expect(contexts[0]?.deadlineAt).toBeTypeOf('number');
    // A first-attempt success gives back `successRefund` (1), not what an earlier call's retry took.
    expect(throttle.tokens).toBe(before + 1);
  });

  it('hands a cancelSignal only when something can fire it, and a signal on demand either way', async () => {
    const contexts: AttemptContext[] = [];
    const record = async (context: AttemptContext) => {
      contexts.push(context);
      return 1;
    };
    const controller = new AbortController();
    await runWithRetry(record, {});
    await runWithRetry(record, { deadline: 10_000 });
    await runWithRetry(record, { signal: controller.signal });
    const [plain, withDeadline, withSignal] = contexts;
    expect(plain?.cancelSignal).toBeUndefined();
    expect(plain?.signal).toBeInstanceOf(AbortSignal);
    expect(plain?.signal.aborted).toBe(false);
    expect(withDeadline?.cancelSignal).toBe(withDeadline?.signal);
    expect(withSignal?.cancelSignal).toBe(withSignal?.signal);
    controller.abort();
    expect(withSignal?.signal.aborted).toBe(false); // disposed with its call: a late abort no longer reaches it
  });

  it('a caller signal aborted before the call makes no attempt', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const error = await rejection(
      runWithRetry(
        async () => {
          calls += 1;
          return 'ok';
        },
        { signal: controller.signal },
      ),
    );
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 0, retryStopReason: 'aborted' });
  });

  it('an abort while a successful attempt 1 runs still ends the call as aborted', async () => {
    const controller = new AbortController();
    const error = await rejection(
      runWithRetry(
        async () => {
          controller.abort();
          return 'ok';
        },
        { signal: controller.signal },
      ),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'aborted' });
  });

  it('an abort while a failing attempt 1 runs ends the call as aborted, without a retry', async () => {
    const controller = new AbortController();
    const events: RetryEvent[] = [];
    const error = await rejection(
      runWithRetry(
        async () => {
          controller.abort();
          throw unavailable();
        },
        { signal: controller.signal, onRetry: (event) => events.push(event), sleep: noSleep },
      ),
    );
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'aborted' });
  });

  it('a failure on attempt 1 is retried as attempt 2 with the same key, after onRetry for attempt 1', async () => {
    const throttle = new RetryThrottle();
    const contexts: AttemptContext[] = [];
    const events: RetryEvent[] = [];
    const result = await runWithRetry(
      async (context) => {
        contexts.push(context);
        if (context.attempt < 3) throw unavailable();
        return 'ok';
      },
      { idempotencyKey: 'key-2', throttle, onRetry: (event) => events.push(event), sleep: noSleep },
    );
    expect(result).toBe('ok');
    expect(contexts.map((context) => [context.attempt, context.idempotencyKey])).toEqual([
      [1, 'key-2'],
      [2, 'key-2'],
      [3, 'key-2'],
    ]);
    expect(events.map((event) => event.attempt)).toEqual([1, 2]);
    // Two retries take 5 tokens each; the success gives back the last one's 5.
    expect(throttle.tokens).toBe(500 - 5 - 5 + 5);
  });

  it('with maxRetries 0 a failure on attempt 1 ends the call as max-retries', async () => {
    const error = await rejection(runWithRetry(async () => Promise.reject(unavailable()), { maxRetries: 0 }));
    expect(AiaasError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'max-retries', status: 503 });
  });

  it('a foreign value thrown by attempt 1 or 2 is rethrown as is, not retried', async () => {
    const thrown = { not: 'an error' };
    let calls = 0;
    expect(
      await rejection(
        runWithRetry(async () => {
          calls += 1;
          throw thrown;
        }),
      ),
    ).toBe(thrown);
    expect(calls).toBe(1);
    const later = new RangeError('foreign');
    calls = 0;
    expect(
      await rejection(
        runWithRetry(
          async (context) => {
            calls += 1;
            throw context.attempt === 1 ? unavailable() : later;
          },
          { sleep: noSleep },
        ),
      ),
    ).toBe(later);
    expect(calls).toBe(2);
  });

  it('a policy that declines on attempt 1 says not retryable after one attempt', async () => {
    const error = await rejection(
      runWithRetry(async () => Promise.reject(apiErrorFor('Bad request.', { status: 400 }))),
    );
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'not-retryable' });
  });
});
