import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
  it('first-token timeout: a stream that sends nothing fails as a retryable TimeoutError and closes the body', async () => {
    const body = stalledReadable([bytes(': connected\n\n')]);
    const started = performance.now();
    const stream = createChatStream(
      { body, format: 'sse', requestId: 'req_ft' },
      { firstTokenTimeout: 50, requestSentAt: started },
    );
    const error = await timeoutOf(stream.final());
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
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
    // The request went out 900 ms before reading began, so 100 ms of the 1 000 ms budget are
    // left. Counted from the read, it would fire only after the whole 1 000 ms: the bounds below
    // tell the two apart with ~900 ms to spare, so a loaded machine cannot blur them.
    const firstTokenTimeout = 1_000;
    const body = stalledReadable([]);
    const requestSentAt = performance.now() - 900;
    const stream = createChatStream({ body, format: 'sse' }, { firstTokenTimeout, requestSentAt });
    const readStarted = performance.now();
    await timeoutOf(stream.final());
    const firedAt = performance.now();
    // Never early: the full budget had passed since the request was sent (timers may round down by a ms).
    expect(firedAt - requestSentAt).toBeGreaterThanOrEqual(firstTokenTimeout - 2);
    // ...but well before a timer started at the read would have fired.
    expect(firedAt - readStarted).toBeLessThan(firstTokenTimeout);
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
    const error = await timeoutOf(
      (async () => {
        for await (const event of stream) if (event.type === 'text-delta') texts.push(event.text);
      })(),
    );
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
    const final = await createChatStream(
      { body, format: 'sse' },
      { idleTimeout: 150, firstTokenTimeout: 150 },
    ).final();
    expect(final.choices[0]?.message.content).toBe('abcd');
  });

  it('a slow consumer does not make a healthy stream time out', async () => {
    const body = Readable.from(recordedChatEvents(['a', 'b', 'c']).map(bytes));
    const stream = createChatStream({ body, format: 'sse' }, { idleTimeout: 30 });
    const texts: string[] = [];
    for await (const event of stream) {
      if (event.type === 'text-delta') texts.push(event.text);
      await sleep(60);
    }
    expect(texts).toEqual(['a', 'b', 'c']);
  });
});
