import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../../../src/errors/index.js';
import { classifyForRetry } from '../../../src/retry/retry-classifier.js';
import { createChatStream, StreamTimeoutError } from '../../../src/streaming/index.js';
import { bytes, chatChunk, recordedChatEvents, sleep, sseEvent, stalledReadable } from './stream-fixtures.js';

async function timeoutOf(promise: Promise<unknown>): Promise<StreamTimeoutError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StreamTimeoutError);
  return error as StreamTimeoutError;
}

/** The promise, and whether it has settled yet. */
function watched<Value>(promise: Promise<Value>): { promise: Promise<Value>; settled: boolean } {
  const state = { promise, settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** A Readable that pushes each step's text after its delay; `null` text ends the body. */
function scriptedReadable(steps: readonly { afterMs: number; text: string | null }[]): Readable {
  const readable = new Readable({ read() {} });
  let elapsed = 0;
  for (const step of steps) {
    elapsed += step.afterMs;
    setTimeout(() => {
      if (!readable.destroyed) readable.push(step.text === null ? null : bytes(step.text));
    }, elapsed);
  }
  return readable;
}

describe('stream timeouts', () => {
  // Time is the subject: a fake clock (timers and performance.now) moves exactly as far as each step says.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('first-token timeout: a stream that sends nothing fails as a retryable TimeoutError and closes the body', async () => {
    const body = stalledReadable([bytes(': connected\n\n')]);
    const stream = createChatStream(
      { body, format: 'sse', requestId: 'req_ft' },
      { firstTokenTimeout: 50, requestSentAt: performance.now() },
    );
    const final = watched(stream.final());
    await vi.advanceTimersByTimeAsync(49);
    expect(final.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(final.settled).toBe(true);
    const error = await timeoutOf(final.promise);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      timer: 'first-token',
      phase: 'stream',
      timeoutMs: 50,
      retryable: true,
      requestId: 'req_ft',
    });
    expect(error.partial).toEqual([]);
    expect(error.eventsReceived).toBe(0);
    expect(body.destroyed).toBe(true);
    // Nothing reached the caller, so the retry layer may replay the whole call.
    expect(classifyForRetry(error).retryable).toBe(true);
  });

  it('first-token timeout counts from when the request was sent, not from when reading began', async () => {
    // The request went out 900 ms before reading began, so 100 ms of the 1 000 ms budget are left.
    // Counted from the read, it would fire only after the whole 1 000 ms.
    const firstTokenTimeout = 1_000;
    const body = stalledReadable([]);
    const requestSentAt = performance.now() - 900;
    const final = watched(
      createChatStream({ body, format: 'sse' }, { firstTokenTimeout, requestSentAt }).final(),
    );
    // Never early: not before the full budget has passed since the request was sent...
    await vi.advanceTimersByTimeAsync(99);
    expect(final.settled).toBe(false);
    // ...and then at once, not a whole budget after the read began.
    await vi.advanceTimersByTimeAsync(1);
    expect(final.settled).toBe(true);
    expect(await timeoutOf(final.promise)).toMatchObject({
      timer: 'first-token',
      timeoutMs: firstTokenTimeout,
    });
  });

  it('idle timeout: a stall after some text carries the partial output, and keep-alive comments do not reset it', async () => {
    const body = scriptedReadable([
      { afterMs: 0, text: sseEvent(1, chatChunk([{ content: 'Hello' }])) },
      { afterMs: 20, text: ': keep-alive\n\n' },
      { afterMs: 20, text: ': keep-alive\n\n' },
      { afterMs: 20, text: ': keep-alive\n\n' },
      { afterMs: 20, text: ': keep-alive\n\n' },
    ]);
    const stream = createChatStream({ body, format: 'sse' }, { idleTimeout: 50, estimateTokens: () => 1 });
    const texts: string[] = [];
    const reading = watched(
      (async () => {
        for await (const event of stream) if (event.type === 'text-delta') texts.push(event.text);
      })(),
    );
    // Keep-alives came at 20 and 40 ms; the timeout counts from the data event all the same.
    await vi.advanceTimersByTimeAsync(49);
    expect(texts).toEqual(['Hello']);
    expect(reading.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(reading.settled).toBe(true);
    const error = await timeoutOf(reading.promise);
    expect(texts).toEqual(['Hello']);
    expect(error).toMatchObject({ timer: 'idle', timeoutMs: 50, lastEventId: '1' });
    expect(error.message).toMatch(/no data for 50 ms \(idle timeout\) after 2 events/);
    expect(error.partial).toEqual(['Hello']);
    expect(error.usage?.provenance).toBe('estimated');
    expect(body.destroyed).toBe(true);
  });

  it('idle timeout: data events keep it from tripping, even events that carry no text', async () => {
    // After the first event, one read waits through six empty-delta chunks: each gap (40 ms) is
    // well inside the timeout, their sum (about 240 ms) is not, so each data event must reset it.
    const events = [
      sseEvent(1, chatChunk([{ content: '' }])),
      ...[2, 3, 4, 5, 6, 7].map((id) => sseEvent(id, chatChunk([{ content: '' }]))),
      sseEvent(8, chatChunk([{ content: 'abcd', finishReason: 'stop' }])),
      sseEvent(9, '[DONE]'),
    ];
    const body = scriptedReadable([
      ...events.map((text) => ({ afterMs: 40, text })),
      { afterMs: 5, text: null },
    ]);
    const final = createChatStream(
      { body, format: 'sse' },
      { idleTimeout: 150, firstTokenTimeout: 150 },
    ).final();
    await vi.advanceTimersByTimeAsync(events.length * 40 + 5);
    expect((await final).choices[0]?.message.content).toBe('abcd');
  });

  it('a slow consumer does not make a healthy stream time out', async () => {
    const body = Readable.from(recordedChatEvents(['a', 'b', 'c']).map(bytes));
    const stream = createChatStream({ body, format: 'sse' }, { idleTimeout: 30 });
    const texts: string[] = [];
    const consuming = (async () => {
      for await (const event of stream) {
        if (event.type === 'text-delta') texts.push(event.text);
        await sleep(60); // busy with each event for twice the idle timeout
      }
    })();
    // Every timer in due order: an idle timer running while the consumer is busy would fire first.
    await vi.runAllTimersAsync();
    await consuming;
    expect(texts).toEqual(['a', 'b', 'c']);
  });
});
