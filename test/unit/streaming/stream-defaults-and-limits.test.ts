import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResponseTooLargeError, TimeoutError } from '../../../src/errors/index.js';
import { createChatStream, estimateUsage, StreamTimeoutError } from '../../../src/streaming/index.js';
import { defaultFirstTokenTimeout, defaultIdleTimeout } from '../../../src/streaming/stream-timeouts.js';
import { failureOf } from '../../support/failure-of.js';
import { brokenBody, bytes, chatChunk, sseEvent, stalledReadable } from './stream-fixtures.js';

/** Settles `promise` only by advancing fake time; `settled` says whether it has. */
function watch(promise: Promise<unknown>): { settled: boolean; result: Promise<unknown> } {
  const state = { settled: false, result: failureOf(promise) };
  void state.result.then(() => {
    state.settled = true;
  });
  return state;
}

describe('default stream timeouts (time is the subject: fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a stream given no timeouts fails 60 s after the request when no data arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    expect(defaultFirstTokenTimeout).toBe(60_000);
    const body = stalledReadable([bytes(': connected\n\n')]);
    const stream = createChatStream({ body, format: 'sse', requestId: 'req_default' });
    const failure = watch(stream.final());
    await vi.advanceTimersByTimeAsync(defaultFirstTokenTimeout - 1);
    expect(failure.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await failure.result;
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error).toMatchObject({
      timer: 'first-token',
      timeoutMs: 60_000,
      phase: 'stream',
      retryable: true,
    });
    expect(body.destroyed).toBe(true);
  });

  it('a stream given no timeouts fails after 5 minutes without data once it has started', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    expect(defaultIdleTimeout).toBe(300_000);
    const body = stalledReadable([bytes(sseEvent(undefined, chatChunk([{ content: 'Hel' }])))]);
    const stream = createChatStream({ body, format: 'sse' });
    const texts = stream.text()[Symbol.asyncIterator]();
    expect(await texts.next()).toEqual({ done: false, value: 'Hel' });
    const failure = watch(texts.next());
    // Past the first-token default: data came, so only the idle timer counts now.
    await vi.advanceTimersByTimeAsync(defaultIdleTimeout - 1);
    expect(failure.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await failure.result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timer: 'idle', timeoutMs: 300_000, partial: ['Hel'] });
  });

  it('an idle timeout given alone still bounds the first wait; 0 turns a timer off', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const alone = watch(
      createChatStream({ body: stalledReadable([]), format: 'sse' }, { idleTimeout: 1_000 }).final(),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await alone.result).toMatchObject({ timer: 'idle', timeoutMs: 1_000 });

    // First-token off: the idle default bounds the first wait instead.
    const noFirstToken = watch(
      createChatStream({ body: stalledReadable([]), format: 'sse' }, { firstTokenTimeout: 0 }).final(),
    );
    await vi.advanceTimersByTimeAsync(defaultFirstTokenTimeout);
    expect(noFirstToken.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(defaultIdleTimeout - defaultFirstTokenTimeout);
    expect(await noFirstToken.result).toMatchObject({ timer: 'idle', timeoutMs: defaultIdleTimeout });

    // Both off: nothing ends the wait but the caller.
    const controller = new AbortController();
    const never = watch(
      createChatStream(
        { body: stalledReadable([]), format: 'sse' },
        { firstTokenTimeout: 0, idleTimeout: Number.POSITIVE_INFINITY, signal: controller.signal },
      ).final(),
    );
    await vi.advanceTimersByTimeAsync(10 * defaultIdleTimeout);
    expect(never.settled).toBe(false);
    controller.abort();
    expect(await never.result).toMatchObject({ name: 'AbortError' });
  });
});

describe('maxResponseBytes over a whole stream', () => {
  it('counts every connection together: a stream that keeps resuming still ends at the limit', async () => {
    const piece = 'abcdefghij'.repeat(10);
    let nextId = 0;
    // Each connection sends 20 events and breaks; the server would resume it forever.
    const connection = () => {
      const events: string[] = [];
      for (let count = 0; count < 20; count += 1) {
        nextId += 1;
        events.push(sseEvent(nextId, chatChunk([{ content: piece }])));
      }
      return { body: brokenBody([bytes(events.join(''))]), bytes: Buffer.byteLength(events.join('')) };
    };
    const first = connection();
    const limit = Math.floor(first.bytes * 2.5);
    let reconnections = 0;
    const stream = createChatStream(
      { body: first.body, format: 'sse', requestId: 'req_limit' },
      {
        maxResumes: 100,
        maxResponseBytes: limit,
        reconnect: async () => {
          reconnections += 1;
          return connection().body;
        },
      },
    );
    let text = '';
    const error = await failureOf(
      (async () => {
        for await (const delta of stream.text()) text += delta;
      })(),
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      phase: 'stream',
      limitBytes: limit,
      requestId: 'req_limit',
      retryable: false,
    });
    expect(reconnections).toBe(2);
    // The events within the limit arrived, whole; none past it.
    expect(text.length).toBeGreaterThan(2 * 20 * piece.length);
    expect(text.length).toBeLessThan(limit);
    expect((error as ResponseTooLargeError).partial).toEqual([text]);
    expect((error as ResponseTooLargeError).receivedBytes).toBeGreaterThan(limit);
    expect((error as Error).message).toMatch(/over 3 connection\(s\)/);
  });

  it('does not resume a connection the transport stopped for being too large', async () => {
    const tooLarge = new ResponseTooLargeError('too large', {
      phase: 'stream',
      limitBytes: 10,
      receivedBytes: 11,
    });
    async function* oversized() {
      yield bytes(sseEvent(1, chatChunk([{ content: 'a' }])));
      throw tooLarge;
    }
    let reconnections = 0;
    const stream = createChatStream(
      { body: oversized(), format: 'sse' },
      {
        reconnect: async () => {
          reconnections += 1;
          return brokenBody([]);
        },
      },
    );
    const error = await failureOf(stream.final());
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ partial: ['a'], lastEventId: '1' });
    expect(reconnections).toBe(0);
  });
});

describe('estimated usage of a runaway text', () => {
  it('counts a text over a million characters from samples, scaled to its length', async () => {
    const seen: number[] = [];
    const countCharacters = (text: string) => {
      seen.push(text.length);
      return text.length;
    };
    const text = 'x'.repeat(3_000_001);
    const usage = await estimateUsage([text], { estimateTokens: countCharacters });
    expect(Math.max(...seen)).toBeLessThanOrEqual(1024 * 1024);
    expect(usage.tokens.completion_tokens).toBe(3_000_001);
    expect(usage.provenance).toBe('estimated');
    seen.length = 0;
    await estimateUsage(['short'], { estimateTokens: countCharacters });
    expect(seen).toEqual([5]);
  });
});
