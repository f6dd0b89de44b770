import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;
let client: OpenAI;
const apiKey = 'sk-openai-client-test';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => server.close());

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'What is the state of our union?' },
];

describe('the official openai client against the reference server', () => {
  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['ref-chat', 'ref-embed', 'ref-classify']);
  });

  it('creates a chat completion with usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 16,
      seed: 3,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
  });

  it('streams a chat completion with usage via stream_options', async () => {
    const stream = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 16,
      seed: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const whole = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 16,
      seed: 3,
    });
    expect(text).toBe(whole.choices[0]!.message.content);
    // compute_ms is measured time, different on every run; the tokens must match exactly.
    expect(usage).toEqual({ ...whole.usage, compute_ms: expect.any(Number) });
  });

  it('creates embeddings (the client asks for base64 and decodes it)', async () => {
    const response = await client.embeddings.create({ model: 'ref-embed', input: ['jobs', 'health care'] });
    expect(response.data).toHaveLength(2);
    const vector = response.data[0]!.embedding;
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    const floats = await client.embeddings.create({
      model: 'ref-embed',
      input: 'jobs',
      encoding_format: 'float',
    });
    expect(floats.data[0]!.embedding).toEqual(vector);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("surfaces our errors as the client's typed errors", async () => {
    const unauthenticated = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(unauthenticated.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'gpt-9', messages })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(
      client.chat.completions.create({ model: 'ref-chat', messages, temperature: 9 }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
