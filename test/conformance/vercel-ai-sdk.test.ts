import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { embed, embedMany, generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

// The Vercel AI SDK talks to any OpenAI-compatible server through @ai-sdk/openai-compatible.
// It reads usage into its own fields (inputTokens/outputTokens), so a server whose usage is
// missing or misplaced shows up here as undefined counts, not as an error.

let server: ReferenceServer;
let provider: OpenAICompatibleProvider;
const apiKey = 'sk-conformance-vercel';
/** The JSON bodies the AI SDK sent, newest last (recorded through its documented `fetch` option). */
const sentBodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  provider = createOpenAICompatible({
    name: 'aiaas',
    baseURL: `${server.url}/v1`,
    apiKey,
    // Without this the AI SDK does not send stream_options.include_usage, and streamed usage is unknown.
    includeUsage: true,
    fetch: async (input, init) => {
      if (typeof init?.body === 'string') sentBodies.push(JSON.parse(init.body) as Record<string, unknown>);
      return fetch(input, init);
    },
  });
});
afterAll(() => server.close());

const prompt = 'What is the state of our union?';

async function tokenCount(body: object): Promise<number> {
  const response = await fetch(`${server.url}/tokenize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'ref-chat', ...body }),
  });
  return ((await response.json()) as { count: number }).count;
}

describe('the Vercel AI SDK against the reference server', () => {
  it('generateText fills text, finish reason and usage as the server counted it', async () => {
    const result = await generateText({
      model: provider.chatModel('ref-chat'),
      prompt,
      maxOutputTokens: 9,
      seed: 11,
      maxRetries: 0,
    });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('length');
    expect(result.usage.inputTokens).toBe(
      await tokenCount({ messages: [{ role: 'user', content: prompt }] }),
    );
    expect(result.usage.outputTokens).toBe(9);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + 9);
    expect(result.response.modelId).toBe('ref-chat');
  });

  it('streamText yields the same text and usage as generateText under the same seed', async () => {
    const settings = {
      model: provider.chatModel('ref-chat'),
      system: 'You answer questions about the union.',
      prompt,
      maxOutputTokens: 12,
      seed: 21,
      maxRetries: 0,
    };
    const whole = await generateText(settings);
    const stream = streamText(settings);
    const pieces: string[] = [];
    for await (const piece of stream.textStream) pieces.push(piece);
    expect(sentBodies.at(-1)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(whole.text);
    const usage = await stream.usage;
    expect(usage.inputTokens).toBe(whole.usage.inputTokens);
    expect(usage.outputTokens).toBe(whole.usage.outputTokens);
    expect(usage.inputTokens).toBe(
      await tokenCount({
        messages: [
          { role: 'system', content: settings.system },
          { role: 'user', content: prompt },
        ],
      }),
    );
    expect(await stream.finishReason).toBe(whole.finishReason);
  });

  it('completion models work through the legacy completions endpoint, usage included', async () => {
    const result = await generateText({
      model: provider.completionModel('ref-chat'),
      prompt: 'The state of the union',
      maxOutputTokens: 6,
      seed: 3,
      maxRetries: 0,
    });
    expect(result.text.length).toBeGreaterThan(0);
    // The AI SDK renders the prompt itself ("user:\n...assistant:\n") and adds a stop sequence:
    // count what it actually sent.
    const sent = sentBodies.at(-1)!;
    expect(sent).toMatchObject({ model: 'ref-chat', max_tokens: 6, seed: 3 });
    expect(result.usage.inputTokens).toBe(await tokenCount({ prompt: sent.prompt }));
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeLessThanOrEqual(6);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + result.usage.outputTokens!);
  });

  it('embed and embedMany return unit vectors and token usage', async () => {
    const model = provider.embeddingModel('ref-embed');
    const single = await embed({ model, value: 'health care', maxRetries: 0 });
    expect(single.embedding.length).toBeGreaterThan(1);
    expect(Math.hypot(...single.embedding)).toBeCloseTo(1, 4);
    expect(single.usage.tokens).toBeGreaterThan(0);
    const many = await embedMany({ model, values: ['jobs', 'health care'], maxRetries: 0 });
    expect(many.embeddings).toHaveLength(2);
    expect(many.embeddings[1]).toEqual(single.embedding);
    expect(many.usage.tokens).toBeGreaterThan(single.usage.tokens);
  });

  it("surfaces the server's errors as APICallError with status and body", async () => {
    const error = await generateText({
      model: provider.chatModel('no-such-model'),
      prompt,
      maxRetries: 0,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'AI_APICallError', statusCode: 404, isRetryable: false });
    expect((error as Error).message).toContain("'no-such-model' does not exist");
  });
});
