import { describe, expect, it } from 'vitest';
import { RateLimitError, StreamError, TimeoutError } from '../../../src/errors/index.js';
import { createChatStream, type StreamUsage } from '../../../src/streaming/index.js';
import {
  brokenBody,
  bytes,
  chatChunk,
  countingBody,
  REPORTED_USAGE,
  recordedChatEvents,
  sseEvent,
} from './stream-fixtures.js';

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

async function failureOf(promise: Promise<unknown>): Promise<StreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StreamError);
  return error as StreamError;
}

describe('a stream that ends early', () => {
  it('is a StreamError with the partial text per choice, the last event id and estimated usage', async () => {
    const events = [
      sseEvent(1, chatChunk([{ content: 'The quick' }, { index: 1, content: 'A' }])),
      sseEvent(2, chatChunk([{ content: ' brown fox' }])),
    ];
    const stream = createChatStream(
      { body: countingBody(events.map(bytes)), format: 'sse', requestId: 'req_7' },
      { estimateTokens: countWords, promptTokens: 4 },
    );
    const error = await failureOf(stream.final());
    expect(error.code).toBe('stream_truncated');
    expect(error.message).toMatch(/ended without `data: \[DONE\]` and with choice 0, 1 unfinished/);
    expect(error.partial).toEqual(['The quick brown fox', 'A']);
    expect(error.lastEventId).toBe('2');
    expect(error.requestId).toBe('req_7');
    expect(error.phase).toBe('stream');
    expect(error.usage as StreamUsage).toEqual({
      tokens: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
      provenance: 'estimated',
      raw: undefined,
    });
  });

  it('delivers every event received before raising the error', async () => {
    const events = recordedChatEvents(['a', 'b']).slice(0, 3);
    const seen: string[] = [];
    const stream = createChatStream({ body: countingBody(events.map(bytes)), format: 'sse' });
    await expect(
      (async () => {
        for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
      })(),
    ).rejects.toBeInstanceOf(StreamError);
    expect(seen).toEqual(['a', 'b']);
  });

  it('is a StreamError with the partial output when the connection breaks and cannot be resumed', async () => {
    const events = recordedChatEvents(['Hel', 'lo']).slice(0, 3);
    const stream = createChatStream(
      { body: brokenBody(events.map(bytes)), format: 'sse' },
      { estimateTokens: () => 1 },
    );
    const error = await failureOf(stream.final());
    expect(error.code).toBe('stream_broken');
    expect(error.message).toMatch(/connection broke after \d+ events and the stream could not be resumed/);
    expect(error.partial).toEqual(['Hello']);
    expect(error.retryable).toBe(true);
    expect(error.cause).toMatchObject({ name: 'ConnectionError' });
    expect(String((error.cause as Error).cause)).toContain('terminated');
  });

  it("treats the transport's own body timeout as a break that carries the partial text", async () => {
    async function* body() {
      yield bytes(sseEvent(1, chatChunk([{ content: 'so far' }])));
      throw new TimeoutError('Body timeout', { phase: 'body', timeoutMs: 10 });
    }
    const error = await failureOf(
      createChatStream({ body: body(), format: 'sse' }, { estimateTokens: () => 1 }).final(),
    );
    expect(error.code).toBe('stream_broken');
    expect(error.partial).toEqual(['so far']);
    expect(error.cause).toBeInstanceOf(TimeoutError);
  });

  it('keeps reported usage in the error when it had arrived', async () => {
    const events = [sseEvent(1, chatChunk([{ content: 'x' }], REPORTED_USAGE))];
    const error = await failureOf(
      createChatStream({ body: countingBody(events.map(bytes)), format: 'sse' }).final(),
    );
    expect((error.usage as StreamUsage).provenance).toBe('reported');
  });

  it('succeeds with estimated usage when every choice finished and only the usage chunk and [DONE] were lost', async () => {
    const events = recordedChatEvents(['done', ' here']).slice(0, 4);
    const final = await createChatStream(
      { body: brokenBody(events.map(bytes)), format: 'sse' },
      { estimateTokens: countWords },
    ).final();
    expect(final.choices[0]).toMatchObject({ message: { content: 'done here' }, finishReason: 'stop' });
    expect(final.usage.provenance).toBe('estimated');
    expect(final.usage.tokens.completion_tokens).toBe(2);
  });

  it('is a StreamError for an Ollama stream without its done line', async () => {
    const line = {
      model: 'm',
      created_at: 'now',
      message: { role: 'assistant', content: 'half' },
      done: false,
    };
    const stream = createChatStream(
      { body: countingBody([bytes(`${JSON.stringify(line)}\n`)]), format: 'ndjson' },
      { estimateTokens: () => 1 },
    );
    const error = await failureOf(stream.final());
    expect(error.message).toContain('ended without `done: true`');
    expect(error.partial).toEqual(['half']);
  });
});

describe('a stream that carries something unreadable', () => {
  it('raises a StreamError naming the event, with the partial output, instead of crashing', async () => {
    const events = [
      sseEvent(1, chatChunk([{ content: 'ok so far' }])),
      sseEvent(2, '{"choices": [tru'),
      sseEvent(3, '[DONE]'),
    ];
    const error = await failureOf(
      createChatStream(
        { body: countingBody(events.map(bytes)), format: 'sse' },
        { estimateTokens: () => 3 },
      ).final(),
    );
    expect(error.message).toBe('SSE event #2 (id 2) has data that is not valid JSON: {"choices": [tru');
    expect(error.code).toBe('invalid_json');
    expect(error.partial).toEqual(['ok so far']);
    expect(error.lastEventId).toBe('2');
    expect((error.usage as StreamUsage).tokens.completion_tokens).toBe(3);
  });

  it('hands out the good events of a chunk before the bad event that follows them', async () => {
    const chunk = sseEvent(1, chatChunk([{ content: 'first' }])) + sseEvent(2, 'garbage');
    const seen: string[] = [];
    const stream = createChatStream(
      { body: countingBody([bytes(chunk)]), format: 'sse' },
      { estimateTokens: () => 1 },
    );
    const error = await failureOf(
      (async () => {
        for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
      })(),
    );
    expect(seen).toEqual(['first']);
    expect(error.partial).toEqual(['first']);
  });

  it('names the NDJSON line that is not JSON', async () => {
    const body = countingBody([
      bytes(
        '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"},"done":false}\n{oops}\n',
      ),
    ]);
    const error = await failureOf(
      createChatStream({ body, format: 'ndjson' }, { estimateTokens: () => 1 }).final(),
    );
    expect(error.message).toContain('Line 2 of the NDJSON stream is not valid JSON: {oops}');
    expect(error.partial).toEqual(['a']);
  });

  it('passes an in-band provider error through as its APIError', async () => {
    const events = [
      sseEvent(1, chatChunk([{ content: 'a' }])),
      sseEvent(
        2,
        JSON.stringify({ error: { message: 'Too many requests', type: 'rate_limit_exceeded', code: '429' } }),
        'error',
      ),
    ];
    await expect(
      createChatStream({ body: countingBody(events.map(bytes)), format: 'sse', requestId: 'r' }).final(),
    ).rejects.toMatchObject({
      name: 'RateLimitError',
      status: 429,
      requestId: 'r',
    });
    await expect(
      createChatStream({ body: countingBody(events.map(bytes)), format: 'sse' }).final(),
    ).rejects.toBeInstanceOf(RateLimitError);
  });
});
