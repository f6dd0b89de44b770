import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { AbortError, AiaasError, apiErrorFor, TimeoutError } from '../../../src/errors/index.js';
import { type AttemptContext, abortableSleep, runWithRetry, type Sleep } from '../../../src/retry/index.js';
import { nextTurn } from '../../support/next-turn.js';
import { seededRandom } from './seeded-random.js';
import { virtualClock } from './virtual-clock.js';

async function failure(promise: Promise<unknown>): Promise<AiaasError> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (AiaasError.isInstance(outcome)) return outcome;
  throw outcome;
}

describe('runWithRetry timing', () => {
  it('never sleeps past the deadline, whatever the attempt durations and server delays', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.record({ duration: fc.nat(3_000), retryAfterMs: fc.option(fc.nat(5_000)) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        async (deadline, attempts, seed) => {
          const clock = virtualClock();
          const deadlineAt = clock.now() + deadline;
          const wakeUps: number[] = [];
          const sleep = async (milliseconds: number) => {
            await clock.sleep(milliseconds, undefined);
            wakeUps.push(clock.now());
          };
          const attempt = async ({ attempt: number }: AttemptContext) => {
            const plan = attempts[(number - 1) % attempts.length]!;
            clock.advance(plan.duration);
            const headers: Record<string, string> =
              plan.retryAfterMs === null ? {} : { 'retry-after-ms': String(plan.retryAfterMs) };
            throw apiErrorFor('Down.', { status: 503, headers });
          };
          const error = await failure(
            runWithRetry(attempt, {
              deadline,
              maxRetries: 20,
              now: clock.now,
              sleep,
              random: seededRandom(seed),
            }),
          );
          for (const wakeUp of wakeUps) expect(wakeUp).toBeLessThan(deadlineAt);
          expect(['deadline', 'max-retries']).toContain(error.retryStopReason);
        },
      ),
    );
  });

  it('stops before a wait that would pass the deadline, saying so', async () => {
    const clock = virtualClock();
    const slowDown = apiErrorFor('Slow down.', { status: 429, headers: { 'retry-after-ms': '5000' } });
    const error = await failure(runWithRetry(() => Promise.reject(slowDown), { deadline: 3_000, ...clock }));
    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'deadline' });
    expect(error.message).toContain('waiting 5000 ms before attempt 2 would pass the deadline of 3000 ms');
  });

  it('ends promptly with an AbortError when the caller aborts during a wait', async () => {
    const controller = new AbortController();
    const cause = apiErrorFor('Down.', { status: 503, headers: { 'retry-after-ms': '10000' } });
    // The default sleep, which also says when the wait has begun.
    let waitBegan!: () => void;
    const waiting = new Promise<void>((resolve) => {
      waitBegan = resolve;
    });
    const sleep: Sleep = (milliseconds, signal) => {
      const slept = abortableSleep(milliseconds, signal);
      waitBegan();
      return slept;
    };
    let settled = false;
    const run = failure(
      runWithRetry(() => Promise.reject(cause), { signal: controller.signal, sleep }),
    ).finally(() => {
      settled = true;
    });
    await waiting;
    controller.abort();
    // Promptly: in reaction to the abort, not when some timer of the 10 s wait fires.
    await nextTurn();
    expect(settled).toBe(true);
    const error = await run;
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'aborted', cause });
    expect(error.message).toContain(
      'Stopped after 1 attempt: the caller aborted during the 10000 ms wait before attempt 2.',
    );
  });

  it('makes no attempt when the signal is already aborted', async () => {
    let calls = 0;
    const error = await failure(runWithRetry(async () => calls++, { signal: AbortSignal.abort() }));
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 0, retryStopReason: 'aborted' });
  });

  it('aborts a hung attempt at the deadline and ends with a TimeoutError', async () => {
    let reason: unknown;
    const hang = ({ signal }: AttemptContext) =>
      new Promise<never>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          // What the transport does with a fired signal it was given.
          reject(new AbortError('POST /v1/chat/completions was aborted by the caller.'));
        });
      });
    // The deadline is the subject: a fake clock (its timer and Date.now) moves exactly as far as told.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let settled = false;
    const run = failure(runWithRetry(hang, { deadline: 50 })).finally(() => {
      settled = true;
    });
    try {
      await vi.advanceTimersByTimeAsync(49);
      expect(reason).toBeUndefined();
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    const error = await run;
    expect(reason).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 1, retryStopReason: 'deadline', timeoutMs: 50 });
    expect(error.message).toContain('the deadline of 50 ms passed during attempt 1');
  });

  it('abortableSleep waits at least the time asked, and rejects at once on abort', async () => {
    const started = performance.now();
    await abortableSleep(30, undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
    const controller = new AbortController();
    const waiting = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
  });
});
