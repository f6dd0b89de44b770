import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { chatCompletionChunkSchema, chatCompletionSchema } from '../../src/wire/openai/chat-schemas.js';
import { completionSchema } from '../../src/wire/openai/completion-schemas.js';
import { embeddingResponseSchema } from '../../src/wire/openai/embedding-schemas.js';
import { modelListSchema } from '../../src/wire/openai/model-schemas.js';
import { tokenizeResponseSchema } from '../../src/wire/openai/tokenize-schemas.js';
import { requestJson, streamEvents } from './server-test-client.js';

let server: ReferenceServer;
const messages = [
  { role: 'system', content: 'You are the President.' },
  { role: 'user', content: 'Tell us about the state of the union.' },
];

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, logger: silentServerLogger });
});
afterAll(() => server.close());

const chat = (body: Record<string, unknown>) =>
  requestJson(`${server.url}/v1/chat/completions`, { body: { model: 'ref-chat', messages, ...body } });

describe('GET /v1/models and /health', () => {
  it('lists the built-in models', async () => {
    const answer = await requestJson(`${server.url}/v1/models`);
    expect(answer.status).toBe(200);
    const list = modelListSchema.parse(answer.body);
    expect(list.data.map((model) => model.id)).toEqual(['ref-chat', 'ref-embed', 'ref-classify']);
    expect(server.models).toEqual(['ref-chat', 'ref-embed', 'ref-classify']);
    expect((await requestJson(`${server.url}/v1/models/ref-embed`)).body.id).toBe('ref-embed');
  });

  it('answers /health', async () => {
    const answer = await requestJson(`${server.url}/health`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
    expect(answer.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
  });
});

describe('POST /v1/chat/completions', () => {
  it('answers with a completion whose usage matches /tokenize over the chat template', async () => {
    const answer = await chat({ max_tokens: 12, temperature: 0 });
    expect(answer.status).toBe(200);
    const completion = chatCompletionSchema.parse(answer.body);
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const tokenized = await requestJson(`${server.url}/tokenize`, { body: { model: 'ref-chat', messages } });
    expect(completion.usage!.prompt_tokens).toBe(tokenized.body.count);
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(12);
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
  });

  it('stops at max_tokens with finish_reason length (max_completion_tokens too)', async () => {
    const long = chatCompletionSchema.parse((await chat({ max_tokens: 40, temperature: 0 })).body);
    expect(long.usage!.completion_tokens).toBeGreaterThan(5);
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      const short = chatCompletionSchema.parse((await chat({ [field]: 5, temperature: 0 })).body);
      expect(short.choices[0]!.finish_reason).toBe('length');
      expect(short.usage!.completion_tokens).toBe(5);
      // Greedy decoding: the short answer is the start of the long one.
      expect(long.choices[0]!.message.content!.startsWith(short.choices[0]!.message.content!)).toBe(true);
    }
  });

  it('is greedy and seed-independent at temperature 0', async () => {
    const first = (await chat({ max_tokens: 20, temperature: 0, seed: 1 })).body.choices[0].message.content;
    const second = (await chat({ max_tokens: 20, temperature: 0, seed: 2 })).body.choices[0].message.content;
    expect(second).toBe(first);
  });

  it('gives the same text for the same seed and different text for another seed', async () => {
    const body = { max_tokens: 40, temperature: 1, top_p: 0.95, top_k: 50 };
    const first = (await chat({ ...body, seed: 7 })).body.choices[0].message.content;
    const again = (await chat({ ...body, seed: 7 })).body.choices[0].message.content;
    const other = (await chat({ ...body, seed: 8 })).body.choices[0].message.content;
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    // No seed: the server's seed (42) decides, so that is reproducible too.
    const unseeded = (await chat(body)).body.choices[0].message.content;
    expect((await chat(body)).body.choices[0].message.content).toBe(unseeded);
    expect((await chat({ ...body, seed: 42 })).body.choices[0].message.content).toBe(unseeded);
  });

  it('samples n choices, choice i with seed + i', async () => {
    const body = { max_tokens: 30, temperature: 1.2 };
    const three = chatCompletionSchema.parse((await chat({ ...body, n: 3, seed: 100 })).body);
    expect(three.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    const texts = three.choices.map((choice) => choice.message.content);
    expect(new Set(texts).size).toBeGreaterThan(1);
    const single = (await chat({ ...body, seed: 101 })).body.choices[0].message.content;
    expect(single).toBe(texts[1]);
    const tokens = three.usage!.completion_tokens;
    expect(tokens).toBeGreaterThan(0);
  });

  it('cuts the text before a stop sequence with finish_reason stop', async () => {
    const full = (await chat({ max_tokens: 40, temperature: 0 })).body.choices[0].message.content as string;
    const words = full.trim().split(/\s+/);
    expect(words.length).toBeGreaterThan(3);
    const stop = ` ${words[2]}`;
    const cut = chatCompletionSchema.parse((await chat({ max_tokens: 40, temperature: 0, stop })).body);
    const text = cut.choices[0]!.message.content!;
    expect(cut.choices[0]!.finish_reason).toBe('stop');
    expect(text).toBe(full.slice(0, full.indexOf(stop)));
    expect(text).not.toContain(stop);
  });

  it('streams chunks with increasing ids, a usage chunk and [DONE]', async () => {
    const body = { model: 'ref-chat', messages, max_tokens: 15, temperature: 0, stream: true };
    const streamed = await streamEvents(`${server.url}/v1/chat/completions`, {
      ...body,
      stream_options: { include_usage: true },
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.headers.get('x-request-id')).toMatch(/^req_/);
    const ids = streamed.events.map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    expect(streamed.events.at(-1)!.data).toBe('[DONE]');
    const chunks = streamed.events
      .slice(0, -1)
      .map((event) => chatCompletionChunkSchema.parse(JSON.parse(event.data)));
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason)!.choices[0]!.finish_reason;

    const whole = chatCompletionSchema.parse((await chat({ max_tokens: 15, temperature: 0 })).body);
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    // compute_ms is measured time, different on every run; the tokens must match exactly.
    expect(usageChunk.usage).toEqual({ ...whole.usage, compute_ms: expect.any(Number) });
    // Without include_usage there is no usage chunk.
    const plain = await streamEvents(`${server.url}/v1/chat/completions`, body);
    const lastChunk = JSON.parse(plain.events.at(-2)!.data);
    expect(lastChunk.choices[0].finish_reason).toBe(finish);
    expect(lastChunk.usage).toBeUndefined();
  });

  it('streams n choices interleaved, each complete', async () => {
    const body = { model: 'ref-chat', messages, max_tokens: 10, temperature: 1, seed: 5, n: 2 };
    const streamed = await streamEvents(`${server.url}/v1/chat/completions`, { ...body, stream: true });
    const chunks = streamed.events.slice(0, -1).map((event) => JSON.parse(event.data));
    const whole = (await requestJson(`${server.url}/v1/chat/completions`, { body })).body;
    for (const index of [0, 1]) {
      const text = chunks
        .filter((chunk) => chunk.choices[0].index === index)
        .map((chunk) => chunk.choices[0].delta.content ?? '')
        .join('');
      expect(text).toBe(whole.choices[index].message.content);
    }
  });
});

describe('POST /v1/completions', () => {
  const complete = (body: Record<string, unknown>) =>
    requestJson(`${server.url}/v1/completions`, { body: { model: 'ref-chat', ...body } });

  it('completes a prompt, counting prompt tokens as /tokenize does', async () => {
    const prompt = 'My fellow Americans, tonight';
    const answer = await complete({ prompt, max_tokens: 10, temperature: 0 });
    expect(answer.status).toBe(200);
    const completion = completionSchema.parse(answer.body);
    expect(completion.id).toMatch(/^cmpl-/);
    const tokenized = (await requestJson(`${server.url}/tokenize`, { body: { prompt } })).body;
    expect(completion.usage!.prompt_tokens).toBe(tokenized.count);
    // Token ids are accepted as the prompt and give the same text.
    const byIds = completionSchema.parse(
      (await complete({ prompt: tokenized.tokens, max_tokens: 10, temperature: 0 })).body,
    );
    expect(byIds.choices[0]!.text).toBe(completion.choices[0]!.text);
  });

  it('numbers choices prompt by prompt and echoes prompts', async () => {
    const answer = await complete({
      prompt: ['We the people', 'Tonight'],
      n: 2,
      max_tokens: 6,
      seed: 3,
      echo: true,
    });
    const completion = completionSchema.parse(answer.body);
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3]);
    expect(completion.choices[0]!.text.startsWith('We the people')).toBe(true);
    expect(completion.choices[3]!.text.startsWith('Tonight')).toBe(true);
    const alone = completionSchema.parse(
      (await complete({ prompt: 'Tonight', n: 2, max_tokens: 6, seed: 3, echo: true })).body,
    );
    expect(completion.choices.slice(2).map((choice) => choice.text)).toEqual(
      alone.choices.map((choice) => choice.text),
    );
  });

  it('streams text chunks with the usage chunk and [DONE]', async () => {
    const body = { model: 'ref-chat', prompt: 'The economy', max_tokens: 8, temperature: 0 };
    const streamed = await streamEvents(`${server.url}/v1/completions`, {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(streamed.events.at(-1)!.data).toBe('[DONE]');
    const chunks = streamed.events
      .slice(0, -1)
      .map((event) => completionSchema.parse(JSON.parse(event.data)));
    const whole = completionSchema.parse((await complete(body)).body);
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('')).toBe(whole.choices[0]!.text);
    expect(chunks.at(-1)!.usage).toEqual({ ...whole.usage, compute_ms: expect.any(Number) });
  });
});

describe('POST /v1/embeddings', () => {
  const embed = (body: Record<string, unknown>) =>
    requestJson(`${server.url}/v1/embeddings`, { body: { model: 'ref-embed', ...body } });
  // ref-embed has its own vocabulary: token-id inputs are its ids.
  const tokenizeForEmbedding = async (prompt: string) =>
    tokenizeResponseSchema.parse(
      (await requestJson(`${server.url}/tokenize`, { body: { model: 'ref-embed', prompt } })).body,
    );

  it('embeds a string and a list, L2-normalised, counting tokens', async () => {
    const one = embeddingResponseSchema.parse((await embed({ input: 'jobs and wages' })).body);
    const many = embeddingResponseSchema.parse(
      (await embed({ input: ['jobs and wages', 'health care'] })).body,
    );
    const vector = one.data[0]!.embedding as number[];
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    expect(many.data.map((item) => item.index)).toEqual([0, 1]);
    expect(many.data[0]!.embedding).toEqual(vector);
    const tokens = (await tokenizeForEmbedding('jobs and wages')).count;
    expect(one.usage.prompt_tokens).toBe(tokens);
    expect(many.usage.prompt_tokens).toBe(tokens + (await tokenizeForEmbedding('health care')).count);
  });

  it('embeds at most the model context of tokens per input and meters only those', async () => {
    const long = 'jobs and wages and health care for every family in America '.repeat(40);
    const tokenized = await tokenizeForEmbedding(long);
    expect(tokenized.count).toBeGreaterThan(256);
    expect(tokenized.max_model_len).toBe(256);
    const answer = embeddingResponseSchema.parse((await embed({ input: long })).body);
    expect(answer.usage.prompt_tokens).toBe(256);
    const firstTokens = (await embed({ input: tokenized.tokens.slice(0, 256) })).body.data[0].embedding;
    expect(answer.data[0]!.embedding).toEqual(firstTokens);
  });

  it('accepts token ids, truncates to dimensions and encodes base64 float32', async () => {
    const tokens = (await tokenizeForEmbedding('jobs and wages')).tokens;
    const byText = (await embed({ input: 'jobs and wages' })).body.data[0].embedding as number[];
    const byIds = (await embed({ input: tokens })).body.data[0].embedding as number[];
    expect(byIds).toEqual(byText);
    const short = (await embed({ input: 'jobs and wages', dimensions: 16 })).body.data[0]
      .embedding as number[];
    expect(short).toHaveLength(16);
    expect(Math.hypot(...short)).toBeCloseTo(1, 4);
    const base64 = (await embed({ input: 'jobs and wages', encoding_format: 'base64' })).body.data[0]
      .embedding;
    const bytes = Buffer.from(base64, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(byText.map((value) => Math.fround(value)));
  });

  it('refuses more dimensions than the model has and empty inputs', async () => {
    const tooMany = await embed({ input: 'x', dimensions: 100_000 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.param).toBe('dimensions');
    const empty = await embed({ input: ['fine', ''] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.param).toBe('input.1');
    const outside = await embed({
      input: [
        [1, 2],
        [3, 6002],
      ],
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error.param).toBe('input.1');
  });
});

describe('POST /tokenize', () => {
  it('tokenizes a prompt and chat messages', async () => {
    const prompt = tokenizeResponseSchema.parse(
      (await requestJson(`${server.url}/tokenize`, { body: { prompt: 'Hello world' } })).body,
    );
    expect(prompt.count).toBe(prompt.tokens.length);
    expect(prompt.count).toBeGreaterThan(0);
    expect(prompt.max_model_len).toBe(4096);
    const chatForm = tokenizeResponseSchema.parse(
      (
        await requestJson(`${server.url}/tokenize`, {
          body: { messages: [{ role: 'user', content: 'Hello world' }] },
        })
      ).body,
    );
    // Exactly the chat template's text: one `Role: content` line per message, then `Assistant:`.
    const rendered = (
      await requestJson(`${server.url}/tokenize`, { body: { prompt: 'User: Hello world\nAssistant:' } })
    ).body;
    expect(chatForm.tokens).toEqual(rendered.tokens);
  });

  it("tokenizes with ref-embed's own vocabulary when asked, which has no chat template", async () => {
    const chat = (await requestJson(`${server.url}/tokenize`, { body: { prompt: 'health care' } })).body;
    const embed = (
      await requestJson(`${server.url}/tokenize`, { body: { model: 'ref-embed', prompt: 'health care' } })
    ).body;
    expect(embed.max_model_len).toBe(256);
    expect(embed.tokens).not.toEqual(chat.tokens);
    const messages = await requestJson(`${server.url}/tokenize`, {
      body: { model: 'ref-embed', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(messages.status).toBe(400);
    expect(messages.body.error.param).toBe('messages');
    expect(
      (await requestJson(`${server.url}/tokenize`, { body: { model: 'ref-classify', prompt: 'x' } })).status,
    ).toBe(400);
  });
});
