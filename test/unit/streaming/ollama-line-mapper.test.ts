import { describe, expect, it } from 'vitest';
import { NotFoundError, StreamError } from '../../../src/errors/index.js';
import { OllamaLineMapper } from '../../../src/streaming/index.js';

const at = '2025-01-01T00:00:00Z';

describe('OllamaLineMapper', () => {
  it('maps chat lines to text, and the done line to finish and usage in OpenAI shape', () => {
    const mapper = new OllamaLineMapper();
    const first = mapper.map({
      lineNumber: 1,
      value: { model: 'llama', created_at: at, message: { role: 'assistant', content: 'Hel' }, done: false },
    });
    const last = mapper.map({
      lineNumber: 2,
      value: {
        model: 'llama',
        created_at: at,
        message: { role: 'assistant', content: 'lo' },
        done: true,
        done_reason: 'length',
        prompt_eval_count: 11,
        eval_count: 4,
        eval_duration: 1000,
      },
    });
    expect(first).toEqual([
      { type: 'response-metadata', model: 'llama' },
      { type: 'text-delta', choiceIndex: 0, text: 'Hel' },
    ]);
    expect(last).toEqual([
      { type: 'text-delta', choiceIndex: 0, text: 'lo' },
      { type: 'finish', choiceIndex: 0, finishReason: 'length' },
      {
        type: 'usage',
        usage: {
          tokens: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
          provenance: 'reported',
          raw: { prompt_eval_count: 11, eval_count: 4, eval_duration: 1000 },
        },
      },
    ]);
    expect(mapper.terminal).toBe(true);
  });

  it('maps /api/generate lines and whole tool calls', () => {
    const generate = new OllamaLineMapper();
    expect(
      generate.map({ lineNumber: 1, value: { model: 'm', created_at: at, response: 'Once', done: false } }),
    ).toContainEqual({
      type: 'text-delta',
      choiceIndex: 0,
      text: 'Once',
    });
    const chat = new OllamaLineMapper();
    const events = chat.map({
      lineNumber: 1,
      value: {
        model: 'm',
        created_at: at,
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'weather', arguments: { city: 'Oslo' } } }],
        },
        done: false,
      },
    });
    expect(events).toContainEqual({
      type: 'tool-call-delta',
      choiceIndex: 0,
      toolCallIndex: 0,
      name: 'weather',
      argumentsDelta: '{"city":"Oslo"}',
    });
  });

  it('turns an error line into an APIError', () => {
    expect(() =>
      new OllamaLineMapper().map({ lineNumber: 1, value: { error: 'model "x" not found', status: 404 } }),
    ).toThrow(NotFoundError);
  });

  it('raises a StreamError naming the line for a line of the wrong shape', () => {
    expect(() => new OllamaLineMapper().map({ lineNumber: 7, value: { done: 'yes' } })).toThrow(StreamError);
    expect(() => new OllamaLineMapper().map({ lineNumber: 7, value: 42 })).toThrow(
      /Line 7 of the NDJSON stream/,
    );
  });
});
