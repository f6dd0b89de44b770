import { describe, expect, it } from 'vitest';
import { AbortError, AiaasError } from '../../../src/errors/index.js';
import { type ChatStreamEvent, createChatStream } from '../../../src/streaming/index.js';
import { nextTurn } from '../../support/next-turn.js';
import {
  bytes,
  chatChunk,
  countingBody,
  REPORTED_USAGE,
  recordedChatEvents,
  sseEvent,
  stalledReadable,
} from './stream-fixtures.js';

function sseStream(events: readonly string[], options: Parameters<typeof createChatStream>[1] = {}) {
  const body = countingBody(events.map(bytes));
  return { body, stream: createChatStream({ body, format: 'sse', requestId: 'req_test' }, options) };
}

// Two choices; choice 1 streams two tool calls whose arguments arrive in fragments.
const TWO_CHOICES = [
  sseEvent(
    1,
    chatChunk([
      { content: 'Hello' },
      { index: 1, toolCalls: [{ index: 0, id: 'call_1', name: 'get_weather' }] },
    ]),
  ),
  sseEvent(
    2,
    chatChunk([{ content: ', world' }, { index: 1, toolCalls: [{ index: 0, arguments: '{"city":' }] }]),
  ),
  sseEvent(
    3,
    chatChunk([{ index: 1, toolCalls: [{ index: 1, id: 'call_2', name: 'get_time', arguments: '{}' }] }]),
  ),
  sseEvent(4, chatChunk([{ index: 1, toolCalls: [{ index: 0, arguments: '"Oslo"}' }] }])),
  sseEvent(5, chatChunk([{ finishReason: 'stop' }, { index: 1, finishReason: 'tool_calls' }])),
  sseEvent(
    6,
    JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'ref-chat',
      choices: [],
      usage: REPORTED_USAGE,
    }),
  ),
  sseEvent(7, '[DONE]'),
];

describe('ChatStream', () => {
  it('final() accumulates every choice, tool call arguments joined in order, and reported usage', async () => {
    const { stream } = sseStream(TWO_CHOICES);
    const final = await stream.final();
    expect(final.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hello, world' }, finishReason: 'stop' },
      {
        index: 1,
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        finishReason: 'tool_calls',
      },
    ]);
    expect(final.usage).toEqual({ tokens: REPORTED_USAGE, provenance: 'reported', raw: REPORTED_USAGE });
    expect(final).toMatchObject({
      requestId: 'req_test',
      model: 'ref-chat',
      responseId: 'chatcmpl-test',
      resumed: 0,
    });
  });

  it('yields typed events in order to for await, and final() afterwards returns the same result', async () => {
    const { stream } = sseStream(recordedChatEvents(['Hel', 'lo']));
    const events: ChatStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'response-metadata',
      'text-delta',
      'text-delta',
      'finish',
      'usage',
    ]);
    const final = await stream.final();
    expect(final.choices[0]?.message.content).toBe('Hello');
  });

  it('text() yields only the text of the chosen choice', async () => {
    const pieces: string[] = [];
    for await (const text of sseStream(TWO_CHOICES).stream.text()) pieces.push(text);
    expect(pieces).toEqual(['Hello', ', world']);
  });

  it('can be read once: a second reader gets a clear error', async () => {
    const { stream } = sseStream(recordedChatEvents(['a']));
    for await (const _event of stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/already being read \(by for await\).*\.final\(\)/);
    expect(() => stream.text()).toThrow(AiaasError);
    expect(() => stream.toReadableStream()).toThrow(/read once/);
  });

  it('estimates usage, tagged estimated, when the provider sent none', async () => {
    const events = [
      sseEvent(1, chatChunk([{ content: 'one two three' }])),
      sseEvent(2, chatChunk([{ finishReason: 'stop' }])),
      sseEvent(3, '[DONE]'),
    ];
    const { stream } = sseStream(events, {
      estimateTokens: (text) => text.split(' ').length,
      promptTokens: 9,
    });
    const final = await stream.final();
    expect(final.usage).toEqual({
      tokens: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
      provenance: 'estimated',
      raw: undefined,
    });
  });

  it('estimates with gpt-tokenizer o200k by default', async () => {
    const events = [
      sseEvent(1, chatChunk([{ content: 'Hello world', finishReason: 'stop' }])),
      sseEvent(2, '[DONE]'),
    ];
    const final = await sseStream(events).stream.final();
    expect(final.usage.tokens.completion_tokens).toBe(2);
    expect(final.usage.provenance).toBe('estimated');
  });

  it('toReadableStream() gives the events, and a failure as a last error event', async () => {
    const good = sseStream(recordedChatEvents(['x'])).stream.toReadableStream();
    const types: string[] = [];
    for await (const event of good) types.push(event.type);
    expect(types).toEqual(['response-metadata', 'text-delta', 'finish', 'usage']);

    const broken = sseStream([
      sseEvent(1, chatChunk([{ content: 'x' }])),
      sseEvent(2, '{nope'),
    ]).stream.toReadableStream();
    const last: ChatStreamEvent[] = [];
    for await (const event of broken) last.push(event);
    expect(last.at(-1)).toMatchObject({ type: 'error', error: { name: 'StreamError' } });
  });

  it('break closes the body at once', async () => {
    const { body, stream } = sseStream(recordedChatEvents(['a', 'b', 'c', 'd']));
    for await (const event of stream) if (event.type === 'text-delta') break;
    expect(body.closed).toBe(true);
    expect(body.pulled).toBeLessThan(4);
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it('abort() destroys a stalled body and the pending read throws AbortError', async () => {
    const body = stalledReadable([bytes(sseEvent(1, chatChunk([{ content: 'partial' }])))]);
    const stream = createChatStream({ body, format: 'sse' });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-metadata' });
    await iterator.next();
    const pending = iterator.next();
    await nextTurn(); // the read has reached the stalled body
    stream.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(body.destroyed).toBe(true);
  });

  it('abort() between events of one network chunk: the events read ahead are not handed out', async () => {
    // The whole stream in one chunk: every event is read before the first is consumed.
    const body = countingBody([bytes(recordedChatEvents(['a', 'b', 'c', 'd']).join(''))]);
    const stream = createChatStream({ body, format: 'sse' });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-metadata' });
    expect((await iterator.next()).value).toMatchObject({ type: 'text-delta', text: 'a' });
    stream.abort('enough');
    await expect(iterator.next()).rejects.toBeInstanceOf(AbortError);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it('a failure after good events of the same chunk comes after them, once, and ends the iteration', async () => {
    const events = [...recordedChatEvents(['a', 'b']).slice(0, 3), sseEvent(4, '{not json')];
    const body = countingBody([bytes(events.join(''))]);
    const stream = createChatStream({ body, format: 'sse' });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual(['response-metadata', 'text-delta', 'text-delta']);
    expect(error).toBeInstanceOf(AiaasError);
    expect((error as AiaasError).code).toBe('invalid_json');
    await expect(stream.final()).rejects.toBe(error);
  });

  it('next() called again while a read waits gets the following event, in order', async () => {
    const { stream } = sseStream(recordedChatEvents(['a', 'b']));
    const iterator = stream[Symbol.asyncIterator]();
    const results = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    expect(results.map((result) => result.value?.type)).toEqual([
      'response-metadata',
      'text-delta',
      'text-delta',
    ]);
    expect(results.map((result) => (result.value as { text?: string }).text)).toEqual([undefined, 'a', 'b']);
  });

  it("the caller's signal closes the body even when nobody is reading", async () => {
    const controller = new AbortController();
    const body = stalledReadable([]);
    const stream = createChatStream({ body, format: 'sse' }, { signal: controller.signal });
    controller.abort();
    expect(body.destroyed).toBe(true);
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it('reads Ollama NDJSON into the same result shape', async () => {
    const lines = [
      { model: 'llama', created_at: 'now', message: { role: 'assistant', content: 'Hi ' }, done: false },
      { model: 'llama', created_at: 'now', message: { role: 'assistant', content: 'there' }, done: false },
      {
        model: 'llama',
        created_at: 'now',
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 5,
        eval_count: 2,
      },
    ];
    const body = countingBody([bytes(lines.map((line) => JSON.stringify(line)).join('\n'))]);
    const final = await createChatStream({ body, format: 'ndjson' }).final();
    expect(final.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hi there' }, finishReason: 'stop' },
    ]);
    expect(final.usage.tokens).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    expect(final.usage.provenance).toBe('reported');
    expect(final.model).toBe('llama');
  });
});
