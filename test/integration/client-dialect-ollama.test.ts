import { beforeAll, describe, expect, it } from 'vitest';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import { NotFoundError } from '../../src/errors/index.js';
import { UnsupportedOperationError } from '../../src/providers/unsupported-operation-error.js';
import { useDialectTestServer } from '../support/dialect-server-fixture.js';
import { sendJson } from '../support/dialect-test-server.js';

const { server, client } = useDialectTestServer({ maxRetries: 0 });

const hello = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('the ollama provider', () => {
  let ollama: AiaasClient;
  beforeAll(() => {
    ollama = client({ provider: 'ollama' });
  });

  const final = {
    model: 'llama3.2',
    created_at: '2025-01-01T10:00:00Z',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 9,
    eval_count: 3,
  };

  it('chats through /api/chat with stream: false and maps the reply', async () => {
    server.route('POST', '/api/chat', (_request, response) =>
      sendJson(response, 200, { ...final, message: { role: 'assistant', content: 'Paris.' } }),
    );
    const { data, response } = await ollama.chat.completions
      .create({ ...hello, max_tokens: 8, temperature: 0 })
      .withResponse();
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
      options: { temperature: 0, num_predict: 8 },
    });
    expect(data.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Paris.' },
      finish_reason: 'stop',
    });
    expect(data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    expect(response.requestId).toBe('req-dialect');
  });

  it('completes through /api/generate and embeds through /api/embed', async () => {
    server.route('POST', '/api/generate', (_request, response) =>
      sendJson(response, 200, { ...final, response: ' upon a time' }),
    );
    server.route('POST', '/api/embed', (_request, response) =>
      sendJson(response, 200, {
        model: 'nomic',
        embeddings: [
          [0.5, 0.25],
          [1, 2],
        ],
        prompt_eval_count: 4,
      }),
    );
    const completion = await ollama.completions.create({ model: 'm', prompt: 'Once' });
    expect(completion.choices[0]?.text).toBe(' upon a time');
    const embeddings = await ollama.embeddings.create({ model: 'nomic', input: ['a', 'b'] });
    expect(embeddings.data[1]?.embedding).toEqual(new Float32Array([1, 2]));
    expect(server.requests.map((request) => request.path)).toEqual(['/api/generate', '/api/embed']);
  });

  it('lists models from /api/tags and retrieves one through /api/show', async () => {
    server.route('GET', '/api/tags', (_request, response) =>
      sendJson(response, 200, {
        models: [{ name: 'llama3.2:latest', modified_at: '2025-05-04T17:37:44Z', size: 10, digest: 'abc' }],
      }),
    );
    server.route('POST', '/api/show', (_request, response) =>
      sendJson(response, 200, { modified_at: '2025-05-04T17:37:44Z' }),
    );
    expect((await ollama.models.list()).data.map((model) => model.id)).toEqual(['llama3.2:latest']);
    expect(await ollama.models.retrieve('llama3.2:latest')).toMatchObject({
      id: 'llama3.2:latest',
      owned_by: 'ollama',
    });
  });

  it('turns an Ollama string error into NotFoundError', async () => {
    server.route('POST', '/api/chat', (_request, response) =>
      sendJson(response, 404, { error: 'model "llama9" not found, try pulling it first' }),
    );
    const error = await ollama.chat.completions.create(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('model "llama9" not found, try pulling it first');
  });

  it('streams a chat from NDJSON lines, with the final line as usage', async () => {
    const lines = [
      {
        model: 'm',
        created_at: '2025-01-01T10:00:00Z',
        message: { role: 'assistant', content: 'Hel' },
        done: false,
      },
      { ...final, message: { role: 'assistant', content: 'lo' } },
    ];
    server.route('POST', '/api/chat', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(lines.map((line) => JSON.stringify(line)).join('\n'));
    });
    const stream = await ollama.chat.completions.stream(hello);
    const result = await stream.final();
    expect(JSON.parse(server.requests[0]?.body ?? '').stream).toBe(true);
    expect(result.choices[0]?.message.content).toBe('Hello');
    expect(result.usage.provenance).toBe('reported');
    expect(result.usageBuckets.inputTokens.value).toBe(result.usage.tokens.prompt_tokens);
    expect(result.usageBuckets.outputTokens.value).toBe(result.usage.tokens.completion_tokens);
  });

  it('refuses tokenize clearly', async () => {
    await expect(ollama.tokenize({ prompt: 'x' })).rejects.toThrow(UnsupportedOperationError);
  });
});
