import { describe, expect, it } from 'vitest';
import { InternalServerError, NotFoundError, StreamError } from '../../../src/errors/index.js';
import { type ChatStreamEvent, createChatStream } from '../../../src/streaming/index.js';
import {
  brokenBody,
  bytes,
  chatChunk,
  countingBody,
  recordedChatEvents,
  sseEvent,
  stalledReadable,
} from './stream-fixtures.js';

const PIECES = ['The ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog.'];
const RECORDED = recordedChatEvents(PIECES);

/** A fake server: serves the recorded stream from after `lastEventId`, `overlap` events early, cut after `cutAfter` events. */
function replayer(options: { overlap?: number; cutAfter?: readonly number[] } = {}) {
  const requests: string[] = [];
  const reconnect = async (lastEventId: string) => {
    requests.push(lastEventId);
    const start = Math.max(0, Number(lastEventId) - (options.overlap ?? 0));
    const cut = options.cutAfter?.[requests.length];
    const rest = RECORDED.slice(start, cut === undefined ? undefined : start + cut).map(bytes);
    return cut === undefined ? countingBody(rest) : brokenBody(rest);
  };
  return { requests, reconnect };
}

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function textOf(events: readonly ChatStreamEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

describe('resuming a broken stream', () => {
  it('reconnects from the last event id and shows each event exactly once, in one continuous text', async () => {
    const unbroken = await collect(
      createChatStream({ body: countingBody(RECORDED.map(bytes)), format: 'sse' }),
    );
    const { requests, reconnect } = replayer({ overlap: 2 });
    const stream = createChatStream(
      { body: brokenBody(RECORDED.slice(0, 4).map(bytes)), format: 'sse' },
      { reconnect },
    );
    const events = await collect(stream);
    expect(requests).toEqual(['4']);
    expect(events).toEqual(unbroken);
    expect(textOf(events)).toBe(PIECES.join(''));
    expect(stream.resumed).toBe(1);
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    expect(final.usage.provenance).toBe('reported');
  });

  it('resumes several times, and drops a half-received event from the broken connection', async () => {
    const { requests, reconnect } = replayer({ overlap: 1, cutAfter: [0, 3, 2] });
    // The first body is cut in the middle of event 3's bytes.
    const first = RECORDED.slice(0, 2).join('') + (RECORDED[2] ?? '').slice(0, 20);
    const stream = createChatStream({ body: brokenBody([bytes(first)]), format: 'sse' }, { reconnect });
    expect(textOf(await collect(stream))).toBe(PIECES.join(''));
    expect(requests).toEqual(['2', '4', '5']);
    expect(stream.resumed).toBe(3);
  });

  it('resumes a body that ended cleanly before [DONE]', async () => {
    const { requests, reconnect } = replayer();
    const stream = createChatStream(
      { body: countingBody(RECORDED.slice(0, 6).map(bytes)), format: 'sse' },
      { reconnect },
    );
    expect((await stream.final()).choices[0]?.message.content).toBe(PIECES.join(''));
    expect(requests).toEqual(['6']);
  });

  it('gives up after maxResumes with a StreamError carrying the partial text', async () => {
    const { requests, reconnect } = replayer({ overlap: 0, cutAfter: [0, 1, 1] });
    const stream = createChatStream(
      { body: brokenBody(RECORDED.slice(0, 3).map(bytes)), format: 'sse' },
      { reconnect, maxResumes: 2, estimateTokens: () => 1 },
    );
    const error = await stream.final().then(
      () => undefined,
      (reason: unknown) => reason as StreamError,
    );
    expect(error).toBeInstanceOf(StreamError);
    expect(requests).toHaveLength(2);
    expect(error?.partial).toEqual(['The quick brown fox ']);
    expect(error?.lastEventId).toBe('5');
  });

  it('turns a failed reconnection into a StreamError that says why, with the partial text', async () => {
    const reconnect = async () => {
      throw new NotFoundError('stream replay expired', { status: 404 });
    };
    const stream = createChatStream(
      { body: brokenBody(RECORDED.slice(0, 3).map(bytes)), format: 'sse' },
      { reconnect, estimateTokens: () => 1 },
    );
    const error = (await stream.final().catch((reason: unknown) => reason)) as StreamError;
    expect(error).toBeInstanceOf(StreamError);
    expect(error.code).toBe('resume_failed');
    expect(error.message).toMatch(/resuming after event 3 failed: stream replay expired/);
    expect(error.cause).toBeInstanceOf(NotFoundError);
    expect(error.partial).toEqual(['The quick ']);
  });

  it('does not resume a stream whose events carry no id', async () => {
    let calls = 0;
    const reconnect = async () => {
      calls += 1;
      return countingBody([]);
    };
    const events = [`data: ${chatChunk([{ content: 'no ids' }])}\n\n`];
    const error = await createChatStream(
      { body: brokenBody(events.map(bytes)), format: 'sse' },
      { reconnect, estimateTokens: () => 1 },
    )
      .final()
      .catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'StreamError', code: 'stream_broken', partial: ['no ids'] });
    expect((error as Error).message).toContain('no event id to resume from');
    expect(calls).toBe(0);
  });

  it('passes an abort signal to reconnect that fires when the stream is aborted', async () => {
    let reconnected!: (signal: AbortSignal) => void;
    const reconnecting = new Promise<AbortSignal>((resolve) => {
      reconnected = resolve;
    });
    const reconnect = (_lastEventId: string, signal: AbortSignal) => {
      reconnected(signal);
      return new Promise<AsyncIterable<Uint8Array>>(() => undefined);
    };
    const stream = createChatStream(
      { body: brokenBody([bytes(sseEvent(1, chatChunk([{ content: 'a' }])))]), format: 'sse' },
      { reconnect },
    );
    const finished = stream.final().catch((reason: unknown) => reason);
    const received = await reconnecting;
    stream.abort();
    expect(await finished).toMatchObject({ name: 'AbortError' });
    expect(received.aborted).toBe(true);
  });
});

describe('resuming past a stall, an unreadable event, or a refused reconnection', () => {
  it('resumes a stream that stalls mid-way (idle timeout) and closes the stalled body', async () => {
    const { requests, reconnect } = replayer();
    const stalled = stalledReadable(RECORDED.slice(0, 3).map(bytes));
    let abandoned = 0;
    const stream = createChatStream(
      { body: stalled, format: 'sse' },
      { reconnect, idleTimeout: 40, abandonInitialBody: () => (abandoned += 1) },
    );
    expect(textOf(await collect(stream))).toBe(PIECES.join(''));
    expect(requests).toEqual(['3']);
    expect(stream.resumed).toBe(1);
    expect(stalled.destroyed).toBe(true);
    expect(abandoned).toBe(1);
  });

  it('still ends a stalled stream with the idle timeout when no resume is allowed', async () => {
    const { requests, reconnect } = replayer();
    const stream = createChatStream(
      { body: stalledReadable(RECORDED.slice(0, 3).map(bytes)), format: 'sse' },
      { reconnect, maxResumes: 0, idleTimeout: 40, estimateTokens: () => 1 },
    );
    const error = await stream.final().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'StreamTimeoutError', timer: 'idle', lastEventId: '3' });
    expect(requests).toEqual([]);
  });

  it('reads an unreadable event again from the last good one when it can reconnect', async () => {
    const { requests, reconnect } = replayer();
    // Event 3 arrives garbled (with its id), in the same chunk as good events before it.
    const chunk = RECORDED.slice(0, 2).join('') + sseEvent(3, '{"choices": [tru');
    const stream = createChatStream({ body: countingBody([bytes(chunk)]), format: 'sse' }, { reconnect });
    const events = await collect(stream);
    expect(textOf(events)).toBe(PIECES.join(''));
    expect(requests).toEqual(['2']);
    expect(stream.resumed).toBe(1);
  });

  it('resumes again from the same good event when the resumed body starts with an unreadable one', async () => {
    const requests: string[] = [];
    // The first resume answers garbage before anything else; the second serves the rest.
    const reconnect = async (lastEventId: string) => {
      requests.push(lastEventId);
      const rest = RECORDED.slice(Number(lastEventId));
      const body = requests.length === 1 ? [sseEvent(undefined, 'garbage'), ...rest] : rest;
      return countingBody(body.map(bytes));
    };
    const chunk = RECORDED.slice(0, 4).join('') + sseEvent(5, '{"choices": [tru');
    const stream = createChatStream({ body: countingBody([bytes(chunk)]), format: 'sse' }, { reconnect });
    const events = await collect(stream);
    expect(textOf(events)).toBe(PIECES.join(''));
    expect(requests).toEqual(['4', '4']);
    expect(stream.resumed).toBe(2);
  });

  it('still fails on an unreadable event when it cannot reconnect, with the good events first', async () => {
    const { reconnect } = replayer();
    const chunk = RECORDED.slice(0, 2).join('') + sseEvent(3, '{"choices": [tru');
    const seen: string[] = [];
    const stream = createChatStream(
      { body: countingBody([bytes(chunk)]), format: 'sse' },
      { reconnect, maxResumes: 0, estimateTokens: () => 1 },
    );
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
    })().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'StreamError', code: 'invalid_json' });
    expect(seen.join('')).toBe('The ');
  });

  it('keeps the good events when the resume after an unreadable event fails', async () => {
    const reconnect = async (): Promise<AsyncIterable<Uint8Array>> => {
      throw new NotFoundError('stream replay expired', { status: 404 });
    };
    const chunk = RECORDED.slice(0, 2).join('') + sseEvent(3, 'garbage');
    const seen: string[] = [];
    const stream = createChatStream(
      { body: countingBody([bytes(chunk)]), format: 'sse' },
      { reconnect, estimateTokens: () => 1 },
    );
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
    })().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'StreamError', code: 'resume_failed' });
    expect(seen.join('')).toBe('The ');
  });

  it('tries a reconnection refused with a retryable status again, counting it as a resume', async () => {
    const { requests, reconnect: replay } = replayer();
    let refusals = 1;
    const reconnect = async (lastEventId: string) => {
      if (refusals-- > 0) throw new InternalServerError('busy', { status: 503 });
      return replay(lastEventId);
    };
    const stream = createChatStream(
      { body: brokenBody(RECORDED.slice(0, 3).map(bytes)), format: 'sse' },
      { reconnect },
    );
    expect(textOf(await collect(stream))).toBe(PIECES.join(''));
    expect(requests).toEqual(['3']);
    expect(stream.resumed).toBe(2);
  });

  it('does not try a reconnection again once maxResumes is spent', async () => {
    let calls = 0;
    const reconnect = async (): Promise<AsyncIterable<Uint8Array>> => {
      calls += 1;
      throw new InternalServerError('busy', { status: 503 });
    };
    const stream = createChatStream(
      { body: brokenBody(RECORDED.slice(0, 3).map(bytes)), format: 'sse' },
      { reconnect, maxResumes: 2, estimateTokens: () => 1 },
    );
    const error = await stream.final().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'StreamError', code: 'resume_failed' });
    expect(calls).toBe(2);
  });
});
