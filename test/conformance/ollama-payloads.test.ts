import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { type DialectTestServer, startDialectTestServer } from '../support/dialect-test-server.js';
import { fixtureJson, sendFixture } from '../support/fixture-files.js';

// The ollama provider against payloads shaped like Ollama's own (test/fixtures/ollama/):
// NDJSON streams, nanosecond timestamps with offsets, counters instead of an OpenAI usage object.

let server: DialectTestServer;
let ollama: AiaasClient;

beforeAll(async () => {
  server = await startDialectTestServer();
  server.route('POST', '/api/chat', (request, response) =>
    sendFixture(
      response,
      (JSON.parse(request.body) as { stream?: boolean }).stream === false
        ? 'ollama/chat.json'
        : 'ollama/chat-stream.ndjson',
    ),
  );
  server.route('POST', '/api/embed', (_request, response) => sendFixture(response, 'ollama/embed.json'));
  server.route('GET', '/api/tags', (_request, response) => sendFixture(response, 'ollama/tags.json'));
  ollama = new AiaasClient({ provider: 'ollama', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(async () => {
  await ollama.close();
  await server.close();
});

const question = { model: 'llama3.2:3b', messages: [{ role: 'user' as const, content: 'How are jobs?' }] };

describe('Ollama payloads', () => {
  it('streams /api/chat NDJSON into text, a finish reason and usage from the counters', async () => {
    const stream = await ollama.chat.completions.stream(question);
    const pieces: string[] = [];
    for await (const piece of stream.text()) pieces.push(piece);
    expect(pieces).toEqual(['Jobs', ' grew', ' in', ' every', ' state', '.']);
    const final = await stream.final();
    expect(final.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Jobs grew in every state.' },
      finishReason: 'stop',
    });
    expect(final.model).toBe('llama3.2:3b');
    expect(final.usage.provenance).toBe('reported');
    expect(final.usage.tokens).toMatchObject({ prompt_tokens: 29, completion_tokens: 7, total_tokens: 36 });
    expect(final.usage.raw).toMatchObject({ prompt_eval_count: 29, eval_count: 7 });
  });

  it('reads a non-streamed /api/chat reply cut by length', async () => {
    const { data, usage } = await ollama.chat.completions.create(question).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'The state of the union is strong.' },
      finish_reason: 'length',
    });
    expect(data.usage).toEqual({ prompt_tokens: 29, completion_tokens: 8, total_tokens: 37 });
    expect(data.created).toBe(Math.floor(Date.parse('2024-12-01T10:01:00.123Z') / 1000));
    expect(usage?.inputTokens.value).toBe(29);
    expect(usage?.outputTokens.value).toBe(8);
  });

  it('reads /api/embed vectors into Float32Arrays with the prompt count as usage', async () => {
    const result = await ollama.embeddings.create({ model: 'all-minilm', input: ['jobs', 'care'] });
    expect(result.data).toHaveLength(2);
    expect(Array.from(result.data[0]!.embedding)).toEqual([0, Math.fround(0.6), Math.fround(0.8)]);
    expect(result.data[1]!.embedding).toBeInstanceOf(Float32Array);
    expect(result.usage.prompt_tokens).toBe(8);
  });

  it('lists /api/tags as models, dates with offsets read right', async () => {
    const models = await ollama.models.list();
    const tags = fixtureJson<{ models: { name: string }[] }>('ollama/tags.json');
    expect(models.data.map((model) => model.id)).toEqual(tags.models.map((model) => model.name));
    expect(models.data[0]!.created).toBe(Math.floor(Date.parse('2024-11-28T08:15:42Z') / 1000));
    expect(models.data[1]!.created).toBe(Math.floor(Date.parse('2024-10-03T00:03:11Z') / 1000));
  });
});
