import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/index.js';
import {
  ollamaChatRequestSchema,
  ollamaChatResponseSchema,
  ollamaChatStreamLineSchema,
  ollamaEmbedResponseSchema,
  ollamaErrorBodySchema,
  ollamaGenerateStreamLineSchema,
  ollamaTagsResponseSchema,
} from '../../../src/wire/ollama/index.js';
import { parseWire } from '../../../src/wire/validate-wire.js';

const ndjson = [
  '{"model":"llama3.2","created_at":"2025-01-01T10:00:00.123456789Z","message":{"role":"assistant","content":"Hel"},"done":false}',
  '{"model":"llama3.2","created_at":"2025-01-01T10:00:00.2Z","message":{"role":"assistant","content":"lo"},"done":false}',
  '{"model":"llama3.2","created_at":"2025-01-01T10:00:00.3Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,"eval_duration":4799921000}',
].join('\n');

describe('ollama wire schemas', () => {
  it('parses every NDJSON line of a streamed chat; only the last carries counters', () => {
    const lines = ndjson.split('\n').map((line) => ollamaChatStreamLineSchema.parse(JSON.parse(line)));
    expect(lines.map((line) => line.message.content).join('')).toBe('Hello');
    expect(lines.map((line) => line.done)).toEqual([false, false, true]);
    const last = lines[2];
    expect(last?.prompt_eval_count).toBe(26);
    expect(last?.eval_count).toBe(298);
    expect(last?.total_duration).toBe(5191566416);
    expect(last?.done_reason).toBe('stop');
  });

  it('parses a generate stream line and keeps unknown fields', () => {
    const line = ollamaGenerateStreamLineSchema.parse({
      model: 'm',
      created_at: 't',
      response: 'x',
      done: true,
      context: [1, 2, 3],
      eval_count: 1,
      future_field: 'kept',
    });
    expect(line.context).toEqual([1, 2, 3]);
    expect((line as Record<string, unknown>).future_field).toBe('kept');
  });

  it('rejects a chat response without `done`, naming the path', () => {
    const call = () =>
      parseWire(
        ollamaChatResponseSchema,
        { model: 'm', created_at: 't', message: { role: 'assistant', content: '' } },
        {
          subject: 'response',
          what: 'ollama chat response',
          requestId: 'r-9',
        },
      );
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/done/);
    expect(call).toThrow(/request id r-9/);
  });

  it('rejects negative counters and fractional durations', () => {
    const base = { model: 'm', created_at: 't', message: { role: 'assistant', content: '' }, done: true };
    expect(ollamaChatResponseSchema.safeParse({ ...base, eval_count: -1 }).success).toBe(false);
    expect(ollamaChatResponseSchema.safeParse({ ...base, total_duration: 1.5 }).success).toBe(false);
  });

  it('validates chat requests: format is "json" or a schema, roles are Ollama roles', () => {
    expect(ollamaChatRequestSchema.safeParse({ model: 'm', messages: [], format: 'json' }).success).toBe(
      true,
    );
    expect(
      ollamaChatRequestSchema.safeParse({ model: 'm', messages: [], format: { type: 'object' } }).success,
    ).toBe(true);
    expect(ollamaChatRequestSchema.safeParse({ model: 'm', messages: [], format: 'xml' }).success).toBe(
      false,
    );
    expect(
      ollamaChatRequestSchema.safeParse({ model: 'm', messages: [{ role: 'developer', content: 'x' }] })
        .success,
    ).toBe(false);
  });

  it('parses embed, tags and error bodies', () => {
    expect(
      ollamaEmbedResponseSchema.parse({ model: 'e', embeddings: [[0.1, 0.2]], prompt_eval_count: 3 })
        .embeddings,
    ).toHaveLength(1);
    expect(ollamaEmbedResponseSchema.safeParse({ model: 'e', embeddings: [['x']] }).success).toBe(false);
    const tags = ollamaTagsResponseSchema.parse({
      models: [
        {
          name: 'llama3.2:latest',
          model: 'llama3.2:latest',
          modified_at: '2025-05-04T17:37:44Z',
          size: 2019393189,
          digest: 'a80c',
          details: { family: 'llama', families: null },
        },
      ],
    });
    expect(tags.models[0]?.details?.family).toBe('llama');
    expect(ollamaErrorBodySchema.parse({ error: 'boom' }).error).toBe('boom');
  });
});
