import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat } from '../../src/builders/chat-builder.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { AbortError, AuthenticationError, NotFoundError, TimeoutError } from '../../src/errors/index.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;
let client: AiaasClient;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: ['sk-test'] });
  client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0, logLevel: 'off' });
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

describe('openai provider against aiaas/server', () => {
  it('lists and retrieves models, with a request id on the response', async () => {
    const { data, response } = await client.models.list().withResponse();
    expect(data.data.map((model) => model.id)).toEqual(expect.arrayContaining(['ref-chat', 'ref-embed']));
    expect(response.status).toBe(200);
    expect(response.requestId).toEqual(expect.any(String));
    expect(response.headers['x-request-id']).toBe(response.requestId);
    expect((await client.models.retrieve('ref-chat')).id).toBe('ref-chat');
  });

  it('maps an unknown model to NotFoundError carrying the request id', async () => {
    const error = await client.models.retrieve('no-such-model').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).requestId).toEqual(expect.any(String));
    expect((error as Error).message).toContain(`request id ${(error as NotFoundError).requestId}`);
  });

  it('creates a chat completion from a builder, reproducibly with a seed', async () => {
    const request = chat('ref-chat')
      .system('You are terse.')
      .user('Tell me about the sea.')
      .maxTokens(12)
      .temperature(0.8)
      .seed(7);
    const { data, response } = await client.chat.completions.create(request).withResponse();
    const [choice] = data.choices;
    expect(data.object).toBe('chat.completion');
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toEqual(expect.any(String));
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeLessThanOrEqual(12);
    expect(response.requestId).toEqual(expect.any(String));
    const again = await client.chat.completions.create(request.build());
    expect(again.choices[0]?.message.content).toBe(choice?.message.content);
  });

  it('creates a text completion', async () => {
    const completion = await client.completions.create({
      model: 'ref-chat',
      prompt: 'Once upon a time',
      max_tokens: 8,
      seed: 1,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.text).toEqual(expect.any(String));
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(8);
  });

  it('embeds as floats and as base64, both decoded to the same Float32Arrays', async () => {
    const input = ['the cat sat', 'a dog ran'];
    const floats = await client.embeddings.create({ model: 'ref-embed', input });
    const base64 = await client.embeddings.create({ model: 'ref-embed', input, encoding_format: 'base64' });
    expect(floats.data).toHaveLength(2);
    for (const [index, item] of floats.data.entries()) {
      expect(item.embedding).toBeInstanceOf(Float32Array);
      expect(item.embedding.length).toBeGreaterThan(0);
      expect(base64.data[index]?.embedding).toEqual(item.embedding);
    }
    expect(floats.data[0]?.embedding).not.toEqual(floats.data[1]?.embedding);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('tokenizes with the server tokenizer', async () => {
    const result = await client.tokenize({ model: 'ref-chat', prompt: 'hello world' });
    expect(result.count).toBe(result.tokens.length);
    expect(result.count).toBeGreaterThan(0);
    const viaV1 = new AiaasClient({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', logLevel: 'off' });
    expect((await viaV1.tokenize({ model: 'ref-chat', prompt: 'hello world' })).tokens).toEqual(
      result.tokens,
    );
    await viaV1.close();
  });

  it('reports a wrong key as AuthenticationError without echoing it', async () => {
    const wrong = new AiaasClient({
      baseURL: server.url,
      apiKey: 'sk-wrong-key-123',
      maxRetries: 0,
      logLevel: 'off',
    });
    const error = await wrong.models.list().catch((caught: unknown) => caught);
    await wrong.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect(
      JSON.stringify({ message: (error as Error).message, body: (error as AuthenticationError).body }),
    ).not.toContain('sk-wrong-key-123');
  });

  it('times out a slow generation per attempt, and aborts on the caller signal', async () => {
    const request = chat('ref-chat').user('Write a long story.').maxTokens(200);
    const timedOut = await client.chat.completions
      .create(request, { timeout: 5 })
      .catch((caught: unknown) => caught);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut).toMatchObject({ phase: 'headers', timeoutMs: 5, retryable: true });
    const controller = new AbortController();
    const pending = client.chat.completions.create(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5); // a caller who gives up after 5 ms, sent or not
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });
});
