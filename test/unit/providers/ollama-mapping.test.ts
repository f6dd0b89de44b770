import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/index.js';
import {
  toOllamaChatRequest,
  toOllamaEmbedRequest,
  toOllamaGenerateRequest,
} from '../../../src/providers/ollama/ollama-request-mapping.js';
import {
  fromOllamaChatResponse,
  fromOllamaEmbedResponse,
  fromOllamaGenerateResponse,
  fromOllamaTags,
} from '../../../src/providers/ollama/ollama-response-mapping.js';
import { UnsupportedOperationError } from '../../../src/providers/unsupported-operation-error.js';
import { chatCompletionSchema } from '../../../src/wire/openai/chat-schemas.js';
import { completionSchema } from '../../../src/wire/openai/completion-schemas.js';

describe('OpenAI params -> Ollama bodies', () => {
  it('maps messages, sampling options and response formats', () => {
    const body = toOllamaChatRequest(
      {
        model: 'llama3.2',
        messages: [
          { role: 'developer', content: 'be terse' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is ' },
              { type: 'text', text: 'this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{"at":"x"}' } }],
          },
        ],
        temperature: 0.2,
        top_p: 0.5,
        top_k: 0,
        max_completion_tokens: 12,
        stop: 'END',
        seed: 3,
        response_format: { type: 'json_object' },
      },
      false,
    );
    expect(body).toEqual({
      model: 'llama3.2',
      stream: false,
      messages: [
        { role: 'system', content: 'be terse' },
        { role: 'user', content: 'what is this?', images: ['iVBORw0K'] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'look', arguments: { at: 'x' } } }],
        },
      ],
      options: { temperature: 0.2, top_p: 0.5, num_predict: 12, stop: ['END'], seed: 3 },
      format: 'json',
    });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const withSchema = toOllamaChatRequest(
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
      },
      true,
    );
    expect(withSchema.format).toEqual(schema);
    expect(withSchema.stream).toBe(true);
    expect(withSchema.options).toBeUndefined();
  });

  it('refuses what Ollama cannot do, with clear errors', () => {
    expect(() =>
      toOllamaChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, false),
    ).toThrow(UnsupportedOperationError);
    expect(() =>
      toOllamaChatRequest(
        {
          model: 'm',
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
          ],
        },
        false,
      ),
    ).toThrow(/messages\.0\.content\.0: Ollama takes images only as base64 data URLs/);
    expect(() =>
      toOllamaChatRequest(
        {
          model: 'm',
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
            },
          ],
        },
        false,
      ),
    ).toThrow(ValidationError);
    expect(() => toOllamaGenerateRequest({ model: 'm', prompt: ['a', 'b'] })).toThrow(
      /several prompts or token ids/,
    );
    expect(() => toOllamaEmbedRequest({ model: 'm', input: [1, 2, 3] })).toThrow(/token ids/);
  });

  it('maps text completions to raw generate and embeddings to embed', () => {
    expect(toOllamaGenerateRequest({ model: 'm', prompt: ['Once'], max_tokens: 4, suffix: 'end' })).toEqual({
      model: 'm',
      prompt: 'Once',
      raw: true,
      stream: false,
      suffix: 'end',
      options: { num_predict: 4 },
    });
    expect(toOllamaEmbedRequest({ model: 'e', input: ['a', 'b'], dimensions: 8 })).toEqual({
      model: 'e',
      input: ['a', 'b'],
      dimensions: 8,
    });
  });
});

describe('Ollama answers -> OpenAI results', () => {
  const chatReply = {
    model: 'llama3.2',
    created_at: '2025-01-01T10:00:00.123456789Z',
    message: { role: 'assistant' as const, content: 'Paris' },
    done: true,
    done_reason: 'length',
    prompt_eval_count: 26,
    eval_count: 5,
  };

  it('maps a chat reply: message, usage and finish reason, valid by the OpenAI schema', () => {
    const completion = fromOllamaChatResponse(chatReply, 'req-1');
    expect(chatCompletionSchema.safeParse(completion).success).toBe(true);
    expect(completion).toMatchObject({
      id: 'chatcmpl-req-1',
      object: 'chat.completion',
      created: 1735725600,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 26, completion_tokens: 5, total_tokens: 31 },
    });
  });

  it('maps tool calls to OpenAI tool calls with JSON arguments', () => {
    const completion = fromOllamaChatResponse(
      {
        ...chatReply,
        done_reason: 'stop',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'weather', arguments: { city: 'Paris' } } }],
        },
      },
      undefined,
    );
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
  });

  it('maps generate, embed and tags', () => {
    const text = fromOllamaGenerateResponse(
      {
        model: 'm',
        created_at: 'bad date',
        response: ' upon',
        done: true,
        done_reason: 'stop',
        eval_count: 2,
      },
      'r',
    );
    expect(completionSchema.safeParse(text).success).toBe(true);
    expect(text.choices[0]).toMatchObject({ text: ' upon', finish_reason: 'stop' });
    expect(text.usage).toEqual({ prompt_tokens: 0, completion_tokens: 2, total_tokens: 2 });
    expect(Math.abs(text.created - Date.now() / 1000)).toBeLessThan(5);

    const embedded = fromOllamaEmbedResponse({
      model: 'e',
      embeddings: [
        [1, 2],
        [3, 4],
      ],
      prompt_eval_count: 4,
    });
    expect(embedded.data.map((item) => [item.index, Array.from(item.embedding)])).toEqual([
      [0, [1, 2]],
      [1, [3, 4]],
    ]);
    expect(embedded.data[0]?.embedding).toBeInstanceOf(Float32Array);
    expect(embedded.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });

    const models = fromOllamaTags({
      models: [{ name: 'llama3.2:latest', modified_at: '2025-05-04T17:37:44Z', size: 1, digest: 'd' }],
    });
    expect(models).toEqual({
      object: 'list',
      data: [{ id: 'llama3.2:latest', object: 'model', created: 1746380264, owned_by: 'ollama' }],
    });
  });
});
