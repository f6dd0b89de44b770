import { describe, expect, it } from 'vitest';
import { APIError, InternalServerError, RateLimitError, StreamError } from '../../../src/errors/index.js';
import { OpenAIChunkMapper, type ServerSentItem } from '../../../src/streaming/index.js';
import { chatChunk, REPORTED_USAGE } from './stream-fixtures.js';

function message(data: string, id?: string, event?: string): ServerSentItem {
  return { kind: 'message', id, event, data };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('OpenAIChunkMapper', () => {
  it('maps text, tool call fragments, finish reasons and usage, with metadata once', () => {
    const mapper = new OpenAIChunkMapper('req_1');
    const first = mapper.map(message(chatChunk([{ content: 'Hi' }, { index: 1, content: 'Yo' }])));
    const second = mapper.map(
      message(
        chatChunk(
          [
            {
              index: 1,
              toolCalls: [{ index: 0, id: 'call_a', name: 'lookup', arguments: '{"q":' }],
              finishReason: 'tool_calls',
            },
          ],
          REPORTED_USAGE,
        ),
      ),
    );
    expect(first).toEqual([
      { type: 'response-metadata', responseId: 'chatcmpl-test', model: 'ref-chat' },
      { type: 'text-delta', choiceIndex: 0, text: 'Hi' },
      { type: 'text-delta', choiceIndex: 1, text: 'Yo' },
    ]);
    expect(second).toEqual([
      {
        type: 'tool-call-delta',
        choiceIndex: 1,
        toolCallIndex: 0,
        id: 'call_a',
        name: 'lookup',
        argumentsDelta: '{"q":',
      },
      { type: 'finish', choiceIndex: 1, finishReason: 'tool_calls' },
      { type: 'usage', usage: { tokens: REPORTED_USAGE, provenance: 'reported', raw: REPORTED_USAGE } },
    ]);
    expect(mapper.terminal).toBe(false);
  });

  it('maps text completion chunks', () => {
    const chunk = {
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1,
      model: 'ref-text',
      choices: [{ index: 0, text: 'once upon', finish_reason: 'length' }],
    };
    expect(new OpenAIChunkMapper().map(message(JSON.stringify(chunk)))).toEqual([
      { type: 'response-metadata', responseId: 'cmpl-1', model: 'ref-text' },
      { type: 'text-delta', choiceIndex: 0, text: 'once upon' },
      { type: 'finish', choiceIndex: 0, finishReason: 'length' },
    ]);
  });

  it('ends at [DONE] and ignores anything after it', () => {
    const mapper = new OpenAIChunkMapper();
    expect(mapper.map(message('[DONE]'))).toEqual([]);
    expect(mapper.terminal).toBe(true);
    expect(mapper.map(message('not even json'))).toEqual([]);
  });

  it('ignores comments, retry fields and named keep-alive events', () => {
    const mapper = new OpenAIChunkMapper();
    expect(mapper.map(message('{}', undefined, 'ping'))).toEqual([]);
    expect(mapper.map({ kind: 'comment', text: 'keep-alive' })).toEqual([]);
    expect(mapper.map({ kind: 'retry', milliseconds: 10 })).toEqual([]);
  });

  it('turns `event: error` into the APIError for the status in its body', () => {
    const error = thrown(() =>
      new OpenAIChunkMapper('req_9').map(
        message(
          JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_exceeded', code: 429 } }),
          '3',
          'error',
        ),
      ),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, requestId: 'req_9', phase: 'stream', retryable: true });
    expect((error as APIError).message).toContain('slow down');
  });

  it('turns a data object with `error` into an APIError, using the error type when no status is given', () => {
    const error = thrown(() =>
      new OpenAIChunkMapper().map(
        message(JSON.stringify({ error: { message: 'boom', type: 'server_error' } })),
      ),
    );
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(500);
  });

  it('turns a well-formed chat chunk that also carries `error` into an APIError, not text', () => {
    const chunk = JSON.parse(chatChunk([{ content: 'Hi' }])) as Record<string, unknown>;
    const mapper = new OpenAIChunkMapper();
    const error = thrown(() => mapper.map(message(JSON.stringify({ ...chunk, error: { message: 'boom' } }))));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('boom');
    const nullError = thrown(() => mapper.map(message(JSON.stringify({ ...chunk, error: null }))));
    expect(nullError).toBeInstanceOf(APIError);
  });

  it('keeps a plain-text `event: error` message', () => {
    const error = thrown(() => new OpenAIChunkMapper().map(message('model crashed', undefined, 'error')));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('model crashed');
  });

  it('raises a StreamError naming the event for data that is not JSON', () => {
    const mapper = new OpenAIChunkMapper('req_2');
    mapper.map(message(chatChunk([{ content: 'a' }]), '1'));
    const error = thrown(() => mapper.map(message('{"choices": [oops', '2')));
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toBe(
      'SSE event #2 (id 2) has data that is not valid JSON: {"choices": [oops',
    );
    expect((error as StreamError).requestId).toBe('req_2');
  });

  it('raises a StreamError naming the field for a chunk that does not match the schema', () => {
    const error = thrown(() =>
      new OpenAIChunkMapper().map(message(JSON.stringify({ object: 'chat.completion.chunk' }))),
    );
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe('invalid_chunk');
    expect((error as StreamError).message).toMatch(/SSE event #1: Invalid chat completion chunk: id:/);
  });
});
