import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { AuthenticationError, BadRequestError, RateLimitError } from '../../src/errors/index.js';
import { type DialectTestServer, startDialectTestServer } from '../support/dialect-test-server.js';
import { fixtureJson, sendFixture } from '../support/fixture-files.js';

// The openai provider against payloads shaped like OpenAI's and vLLM's own (test/fixtures/).

let server: DialectTestServer;
let client: AiaasClient;

beforeAll(async () => {
  server = await startDialectTestServer();
  client = new AiaasClient({
    baseURL: `${server.url}/v1`,
    apiKey: 'sk-fixture',
    maxRetries: 0,
    logLevel: 'off',
  });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

const question = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'How is the union?' }],
};

describe('OpenAI payloads', () => {
  it('reads a chat completion, splitting cached prompt tokens into their own bucket', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'openai/chat-completion.json', { headers: { 'x-request-id': 'req_openai_1' } }),
    );
    const { data, response, usage } = await client.chat.completions.create(question).withResponse();
    expect(data.choices[0]!.message.content).toBe('The union is strong, and jobs are growing.');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 1236, completion_tokens: 11, total_tokens: 1247 });
    expect(response.requestId).toBe('req_openai_1');
    expect(usage?.inputTokens).toEqual({ value: 212, provenance: 'reported' });
    expect(usage?.cacheReadTokens).toEqual({ value: 1024, provenance: 'reported' });
    expect(usage?.outputTokens.value).toBe(11);
  });

  it('reads a tool call with null content and finish_reason tool_calls', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'openai/chat-completion-tool-call.json'),
    );
    const completion = await client.chat.completions.create(question);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: 'call_fixtureWeather01',
        type: 'function',
        function: { name: 'get_unemployment_rate', arguments: '{"state":"Ohio","year":2024}' },
      },
    ]);
  });

  it('reads a streamed chat with usage: text in order, finish reason and reported usage', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'openai/chat-completion-stream.sse'),
    );
    const stream = await client.chat.completions.stream(question);
    const kinds = new Set<string>();
    let text = '';
    for await (const event of stream) {
      kinds.add(event.type);
      if (event.type === 'text-delta') text += event.text;
    }
    const sent = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(text).toBe('Jobs are up and health care costs are down.');
    expect([...kinds]).toEqual(['response-metadata', 'text-delta', 'finish', 'usage']);
    const final = await stream.final();
    expect(final.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'Jobs are up and health care costs are down.' },
        finishReason: 'stop',
      },
    ]);
    expect(final.model).toBe('gpt-4o-mini-2024-07-18');
    expect(final.responseId).toBe('chatcmpl-AZq4fixture0004strm');
    expect(final.usage.provenance).toBe('reported');
    expect(final.usage.tokens).toMatchObject({ prompt_tokens: 24, completion_tokens: 10, total_tokens: 34 });
  });

  it('reads a legacy text completion', async () => {
    server.route('POST', '/v1/completions', (_request, response) =>
      sendFixture(response, 'openai/completion.json'),
    );
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'The' });
    expect(completion.choices[0]).toMatchObject({
      text: '\n\nThe state of the union is strong.',
      finish_reason: 'length',
    });
    expect(completion.usage).toEqual({ prompt_tokens: 6, completion_tokens: 9, total_tokens: 15 });
  });

  it('reads float embeddings into Float32Arrays, in index order', async () => {
    server.route('POST', '/v1/embeddings', (_request, response) =>
      sendFixture(response, 'openai/embeddings.json'),
    );
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(result.data.map((item) => item.index)).toEqual([0, 1]);
    expect(result.data[0]!.embedding).toBeInstanceOf(Float32Array);
    expect(Array.from(result.data[1]!.embedding)).toEqual([0, Math.fround(0.28), Math.fround(0.96), 0]);
    expect(result.usage.prompt_tokens).toBe(5);
  });

  it('lists models, fine-tuned names with colons included', async () => {
    server.route('GET', '/v1/models', (_request, response) => sendFixture(response, 'openai/models.json'));
    const models = await client.models.list();
    const expected = fixtureJson<{ data: { id: string }[] }>('openai/models.json').data.map(
      (model) => model.id,
    );
    expect(models.data.map((model) => model.id)).toEqual(expected);
    expect(models.data[2]!.owned_by).toBe('user-acme');
  });

  it('maps a 401 to AuthenticationError with the code and without the key', async () => {
    server.route('GET', '/v1/models', (_request, response) =>
      sendFixture(response, 'openai/error-invalid-api-key.json', { status: 401 }),
    );
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', retryable: false });
    expect((error as Error).message).toContain('Incorrect API key provided');
    expect((error as Error).message).not.toContain('sk-fixture');
  });

  it("maps a 429 to RateLimitError and honours OpenAI's retry-after-ms on retry", async () => {
    let calls = 0;
    server.route('POST', '/v1/chat/completions', (_request, response) => {
      calls += 1;
      if (calls === 1) {
        return sendFixture(response, 'openai/error-rate-limit.json', {
          status: 429,
          headers: { 'retry-after-ms': '40', 'x-ratelimit-remaining-requests': '0' },
        });
      }
      return sendFixture(response, 'openai/chat-completion.json');
    });
    const error = await client.chat.completions.create(question).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
    calls = 0;
    const started = performance.now();
    const { data, attempts } = await client.chat.completions
      .create(question, { maxRetries: 1 })
      .withResponse();
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(attempts).toBe(2);
    expect(data.choices[0]!.message.content).toBe('The union is strong, and jobs are growing.');
  });
});

describe('vLLM payloads', () => {
  it('maps an error with an integer code to BadRequestError with its message', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'vllm/error-bad-request.json', { status: 400 }),
    );
    const error = await client.chat.completions.create(question).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect((error as Error).message).toContain("This model's maximum context length is 32768 tokens");
  });

  it('reads a streamed chat cut by length, with stop_reason and a usage chunk', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'vllm/chat-completion-stream.sse'),
    );
    const stream = await client.chat.completions.stream({ ...question, model: 'Qwen/Qwen2.5-0.5B-Instruct' });
    const final = await stream.final();
    expect(final.choices[0]).toMatchObject({
      message: { content: 'The economy added jobs every' },
      finishReason: 'length',
    });
    expect(final.usage).toMatchObject({
      provenance: 'reported',
      tokens: { prompt_tokens: 31, completion_tokens: 5, total_tokens: 36 },
    });
  });

  it('turns an in-band error mid-stream into a typed error after the text received so far', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendFixture(response, 'vllm/chat-completion-stream-error.sse'),
    );
    const stream = await client.chat.completions.stream(question, { maxResumes: 0 });
    let text = '';
    const error = await (async () => {
      for await (const piece of stream.text()) text += piece;
    })().catch((caught: unknown) => caught);
    expect(text).toBe('Health care');
    expect(error).toMatchObject({ status: 500, phase: 'stream' });
    expect((error as Error).message).toContain('The engine died unexpectedly');
  });
});
