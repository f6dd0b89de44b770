import { describe, expect, it } from 'vitest';
import {
  AiaasError,
  type APIError,
  apiErrorFor,
  BudgetExceededError,
  ConnectionError,
  StreamError,
  TimeoutError,
  UnpricedModelError,
  ValidationError,
} from '../../../src/errors/index.js';
import { UnsupportedOperationError } from '../../../src/providers/unsupported-operation-error.js';
import { type RetryEvent, RetryThrottle, runWithRetry } from '../../../src/retry/index.js';
import { scripted } from './scripted-attempts.js';
import { virtualClock } from './virtual-clock.js';

const unavailable = () => apiErrorFor('Service unavailable.', { status: 503 });

async function failure(promise: Promise<unknown>): Promise<AiaasError> {
  try {
    await promise;
  } catch (error) {
    if (AiaasError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('runWithRetry', () => {
  it('passes the same idempotency key and deadline to every attempt, numbering them from 1', async () => {
    const clock = virtualClock();
    const { attempt, contexts } = scripted([unavailable(), new ConnectionError('reset')]);
    const result = await runWithRetry(attempt, { idempotencyKey: 'key-1', deadline: 60_000, ...clock });
    expect(result).toBe('ok');
    expect(contexts.map((context) => context.attempt)).toEqual([1, 2, 3]);
    expect(new Set(contexts.map((context) => context.idempotencyKey))).toEqual(new Set(['key-1']));
    expect(new Set(contexts.map((context) => context.deadlineAt))).toEqual(new Set([1_000_000 + 60_000]));
    expect(contexts.every((context) => context.signal.aborted === false)).toBe(true);
  });

  it('calls onRetry with the error, the failed attempt and the wait, before waiting', async () => {
    const clock = virtualClock();
    const errors = [unavailable(), unavailable()];
    const { attempt } = scripted(errors);
    const events: RetryEvent[] = [];
    const sleepsSeenByOnRetry: number[] = [];
    await runWithRetry(attempt, {
      ...clock,
      random: () => 0.5,
      policy: undefined,
      onRetry: (event) => {
        events.push(event);
        sleepsSeenByOnRetry.push(clock.sleeps.length);
      },
    });
    // Default backoff: base 500 ms, full jitter at 0.5 → 250 ms, then 500 ms.
    expect(events).toEqual([
      { error: errors[0], attempt: 1, delayMs: 250 },
      { error: errors[1], attempt: 2, delayMs: 500 },
    ]);
    expect(clock.sleeps).toEqual([250, 500]);
    expect(sleepsSeenByOnRetry).toEqual([0, 1]);
  });

  it('gives up after maxRetries + 1 attempts and says so', async () => {
    const { attempt, contexts } = scripted([unavailable(), unavailable(), unavailable()]);
    const error = await failure(runWithRetry(attempt, virtualClock()));
    expect(contexts).toHaveLength(3);
    expect(error).toMatchObject({ status: 503, attempts: 3, retryStopReason: 'max-retries' });
    expect(error.message).toBe(
      'Service unavailable. Gave up after 3 attempts (maxRetries is 2): the server kept answering 503.',
    );
  });

  it('with maxRetries 0 makes one attempt; with 5 makes six', async () => {
    const once = scripted(Array.from({ length: 9 }, unavailable));
    const single = await failure(runWithRetry(once.attempt, { maxRetries: 0, ...virtualClock() }));
    expect(single).toMatchObject({ attempts: 1, retryStopReason: 'max-retries' });
    const many = scripted(Array.from({ length: 9 }, unavailable));
    const six = await failure(runWithRetry(many.attempt, { maxRetries: 5, ...virtualClock() }));
    expect(six).toMatchObject({ attempts: 6, retryStopReason: 'max-retries' });
    await expect(runWithRetry(once.attempt, { maxRetries: -1 })).rejects.toThrow(RangeError);
  });

  it('names the last failure when the failures differ', async () => {
    const { attempt } = scripted([new ConnectionError('reset'), unavailable(), new ConnectionError('reset')]);
    const error = await failure(runWithRetry(attempt, virtualClock()));
    expect(error.message).toContain(
      'Gave up after 3 attempts (maxRetries is 2): the last attempt failed: the connection failed.',
    );
  });

  it('does not retry a 400, even after retryable failures, and says it was not retryable', async () => {
    const { attempt, contexts } = scripted([unavailable(), apiErrorFor('Bad field.', { status: 400 })]);
    const error = await failure(runWithRetry(attempt, { maxRetries: 5, ...virtualClock() }));
    expect(contexts).toHaveLength(2);
    expect(error).toMatchObject({ status: 400, attempts: 2, retryStopReason: 'not-retryable' });
    expect(error.message).toBe(
      'Bad field. Not retried (2 attempts made): the server answered 400, which a retry cannot fix.',
    );
  });

  it('leaves the message of an error that never reached the provider alone, but still counts it', async () => {
    const local: AiaasError[] = [
      new UnsupportedOperationError('oip', 'chat completions'),
      new ValidationError('Invalid request: messages: required', { issues: [], subject: 'request' }),
      new UnpricedModelError('mystery-model'),
      new BudgetExceededError('The daily budget would be exceeded.', {
        scope: 'global',
        limit: '1.00 USD',
        attempted: '2.00 USD',
      }),
    ];
    for (const error of local) {
      const before = error.message;
      const thrown = await failure(runWithRetry(scripted([error]).attempt, virtualClock()));
      expect(thrown).toBe(error);
      expect(thrown.message).toBe(before);
      expect(thrown).toMatchObject({ attempts: 1, retryStopReason: 'not-retryable' });
    }
  });

  it('explains the retry outcome of every failure at the provider', async () => {
    const atProvider: AiaasError[] = [
      apiErrorFor('Bad field.', { status: 400 }),
      new ConnectionError('The connection was reset.'),
      new TimeoutError('No headers within 10 ms.', { phase: 'headers', timeoutMs: 10 }),
      new StreamError('The stream broke.'),
    ];
    for (const error of atProvider) {
      const thrown = await failure(
        runWithRetry(scripted([error]).attempt, { maxRetries: 0, ...virtualClock() }),
      );
      // "Not retried (1 attempt made): ..." or "Gave up after 1 attempt (maxRetries is 0): ..."
      expect(thrown.message).toMatch(/(Not retried|Gave up after) \(?1 attempt/);
    }
  });

  it('honours x-should-retry: false on a 503', async () => {
    const refused = apiErrorFor('Down.', { status: 503, headers: { 'x-should-retry': 'false' } });
    const { attempt, contexts } = scripted([refused]);
    const error = await failure(runWithRetry(attempt, virtualClock()));
    expect(contexts).toHaveLength(1);
    expect(error.retryStopReason).toBe('not-retryable');
  });

  it('stops at once when the server asks for more than maxRetryDelay, without sleeping', async () => {
    const clock = virtualClock();
    const slowDown = apiErrorFor('Slow down.', { status: 429, headers: { 'retry-after': '120' } });
    const { attempt, contexts } = scripted([slowDown]);
    const error = await failure(runWithRetry(attempt, clock));
    expect(contexts).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'server-delay-too-long' });
    expect(error.message).toContain('more than maxRetryDelay (60000 ms)');
  });

  it('rethrows a foreign error as is, without retrying it', async () => {
    const foreign = new RangeError('a bug in user code');
    const { attempt, contexts } = scripted([foreign]);
    await expect(runWithRetry(attempt, virtualClock())).rejects.toBe(foreign);
    expect(contexts).toHaveLength(1);
    expect(foreign.message).toBe('a bug in user code');
    const thrownString = scripted(['just a string']);
    await expect(runWithRetry(thrownString.attempt, virtualClock())).rejects.toBe('just a string');
  });

  it('lets a replacement policy decide what is retried and how long to wait', async () => {
    const clock = virtualClock();
    const badRequest = apiErrorFor('Bad.', { status: 400 });
    const { attempt, contexts } = scripted([badRequest, badRequest, unavailable()]);
    const error = await failure(
      runWithRetry(attempt, {
        ...clock,
        policy: {
          shouldRetry: (candidate) =>
            (candidate as APIError).status === 400
              ? true
              : { retry: false, explanation: 'only 400s are retried here' },
          delay: (_error, failedAttempt) => failedAttempt * 1_000,
        },
      }),
    );
    expect(contexts).toHaveLength(3);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(error).toMatchObject({ status: 503, retryStopReason: 'not-retryable' });
    expect(error.message).toContain('only 400s are retried here');
  });

  it('does not retry an error an inner runner already gave up on, and keeps its account', async () => {
    const inner = () =>
      runWithRetry(scripted([unavailable(), unavailable()]).attempt, { maxRetries: 1, ...virtualClock() });
    let outerAttempts = 0;
    const error = await failure(
      runWithRetry(() => {
        outerAttempts++;
        return inner();
      }, virtualClock()),
    );
    expect(outerAttempts).toBe(1);
    expect(error).toMatchObject({ attempts: 2, retryStopReason: 'max-retries' });
    expect(error.message.match(/Gave up/g)).toHaveLength(1);
  });

  it('keeps the stack trace in step with the message', async () => {
    const early = unavailable();
    expect(early.stack).toContain('Service unavailable.');
    const error = await failure(runWithRetry(scripted([early]).attempt, { maxRetries: 0 }));
    expect(error.stack).toContain('Gave up after 1 attempt (maxRetries is 0)');
  });

  it('stops retrying when the shared throttle cannot pay for a retry, and says retries were throttled', async () => {
    // Room for two retries of 5 tokens: failures 1 and 2 are retried, failure 3 is not.
    const throttle = new RetryThrottle({ maxTokens: 10, timeoutRetryCost: 10 });
    const { attempt, contexts } = scripted(Array.from({ length: 9 }, unavailable));
    const error = await failure(
      runWithRetry(attempt, {
        maxRetries: 5,
        throttle,
        origin: 'https://api.example.com',
        ...virtualClock(),
      }),
    );
    expect(contexts).toHaveLength(3);
    expect(error).toMatchObject({ attempts: 3, retryStopReason: 'throttled' });
    expect(error.message).toContain(
      'retries to https://api.example.com were throttled, because too many recent attempts failed (0 of 10 retry tokens left, this retry costs 5)',
    );
    const success = scripted([]);
    await runWithRetry(success.attempt, { throttle });
    expect(throttle.tokens).toBe(1);
  });
});
