import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { fault, faultHeader } from '../../src/testing/index.js';

// The official openai client (v6) is the most common consumer of an OpenAI-compatible server:
// whatever it accepts without a workaround is what "compatible" means. The basics (model list,
// chat with usage, embeddings, 400/401/404) are in test/integration/server-openai-client.test.ts;
// this file covers the rest of the surface a user of that client touches.

let server: ReferenceServer;
let client: OpenAI;
const apiKey = 'sk-conformance-openai';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => server.close());

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You answer questions about the union.' },
  { role: 'user', content: 'What about jobs and health care?' },
];

describe('the openai client: models and responses', () => {
  it('retrieves one model and exposes the request id of the response', async () => {
    const { data, request_id, response } = await client.models.retrieve('ref-embed').withResponse();
    expect(data).toMatchObject({ id: 'ref-embed', object: 'model' });
    expect(request_id).toMatch(/^req_/);
    expect(response.headers.get('x-request-id')).toBe(request_id);
  });

  it('stops at max_tokens with finish_reason "length" and counts exactly that many tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 5,
      seed: 1,
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBe(5);
    const tokenize = (await (
      await fetch(`${server.url}/tokenize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'ref-chat', messages }),
      })
    ).json()) as { count: number };
    expect(completion.usage!.prompt_tokens).toBe(tokenize.count);
  });

  it('answers n choices, each with its own index, reproducibly under a seed', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 8, n: 2, seed: 5 };
    const first = await client.chat.completions.create(params);
    const second = await client.chat.completions.create(params);
    expect(first.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(first.choices.map((choice) => choice.message.content)).toEqual(
      second.choices.map((choice) => choice.message.content),
    );
    expect(first.usage!.completion_tokens).toBe(16);
  });
});

describe('the openai client: streaming helpers', () => {
  it('runs chat.completions.stream() to a final completion equal to the non-streamed one', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 12, seed: 9 };
    const deltas: string[] = [];
    const stream = client.chat.completions.stream({ ...params, stream_options: { include_usage: true } });
    stream.on('content', (delta) => deltas.push(delta));
    const streamed = await stream.finalChatCompletion();
    const whole = await client.chat.completions.create(params);
    expect(deltas.length).toBeGreaterThan(1);
    expect(streamed.choices[0]!.message.content).toBe(whole.choices[0]!.message.content);
    expect(deltas.join('')).toBe(whole.choices[0]!.message.content);
    expect(streamed.choices[0]!.finish_reason).toBe(whole.choices[0]!.finish_reason);
    // compute_ms is measured time, different on every run; the tokens must match exactly.
    expect(streamed.usage).toEqual({ ...whole.usage, compute_ms: expect.any(Number) });
  });

  it('can abort a stream mid-way through the client controller', async () => {
    // Events 20 ms apart, so the abort lands between them rather than after a burst.
    const stream = await client.chat.completions.create(
      { model: 'ref-chat', messages, max_tokens: 200, stream: true },
      { headers: { 'x-aiaas-fault': faultHeader(fault.chunkDelay(20)) } },
    );
    let chunks = 0;
    let finished = false;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.choices[0]?.finish_reason) finished = true;
      if (chunks === 2) stream.controller.abort();
    }
    expect(chunks).toBeGreaterThanOrEqual(2);
    // Chunks already read into the client's buffer when the abort lands still come out, and on a
    // loaded machine a stalled event loop lets several pile up (one per 20 ms). A stream that
    // ignored the abort would run to its 200-token end, so a bound far below that, with no
    // finish_reason seen, still proves the abort cut it.
    expect(chunks).toBeLessThan(50);
    expect(finished).toBe(false);
    expect(stream.controller.signal.aborted).toBe(true);
  });
});

describe('the openai client: legacy completions', () => {
  it('creates a text completion with usage', async () => {
    const completion = await client.completions.create({
      model: 'ref-chat',
      prompt: 'The state of the union',
      max_tokens: 6,
      seed: 2,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage).toMatchObject({ completion_tokens: 6 });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + 6);
  });

  it('streams a text completion whose pieces and usage equal the non-streamed one', async () => {
    const params = { model: 'ref-chat', prompt: 'The state of the union', max_tokens: 10, seed: 4 };
    const stream = await client.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    const whole = await client.completions.create(params);
    expect(text).toBe(whole.choices[0]!.text);
    expect(finishReason).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual({ ...whole.usage, compute_ms: expect.any(Number) });
  });
});

describe('the openai client: embeddings', () => {
  it('keeps input order in data[].index and counts prompt tokens like /tokenize', async () => {
    const inputs = ['health care', 'jobs', 'the economy and jobs'];
    const response = await client.embeddings.create({
      model: 'ref-embed',
      input: inputs,
      encoding_format: 'float',
    });
    expect(response.object).toBe('list');
    expect(response.data.map((item) => item.index)).toEqual([0, 1, 2]);
    const single = await client.embeddings.create({
      model: 'ref-embed',
      input: inputs[2]!,
      encoding_format: 'float',
    });
    expect(single.data[0]!.embedding).toEqual(response.data[2]!.embedding);
    expect(response.usage.total_tokens).toBe(response.usage.prompt_tokens);
  });
});

describe("the openai client: errors as the client's own classes", () => {
  it('a wrong key is AuthenticationError with the error body fields', async () => {
    const unauthenticated = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const error = await unauthenticated.chat.completions
      .create({ model: 'ref-chat', messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'authentication_error' });
    expect((error as APIError).requestID).toMatch(/^req_/);
    expect((error as Error).message).not.toContain('sk-wrong');
  });

  it('an unknown model is NotFoundError naming the model parameter, for every endpoint', async () => {
    const calls = [
      client.models.retrieve('gpt-9'),
      client.completions.create({ model: 'gpt-9', prompt: 'hi' }),
      client.embeddings.create({ model: 'gpt-9', input: 'hi' }),
    ];
    for (const call of calls) {
      const error = await call.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
    }
  });

  it('a rate limit is RateLimitError carrying the Retry-After headers', async () => {
    const limited = new OpenAI({
      baseURL: `${server.url}/v1`,
      apiKey,
      maxRetries: 0,
      defaultHeaders: { 'x-aiaas-fault': faultHeader(fault.status(429, { retryAfterMs: 50 })) },
    });
    const error = await limited.chat.completions
      .create({ model: 'ref-chat', messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).headers?.get('retry-after-ms')).toBe('50');
    expect((error as APIError).headers?.get('retry-after')).toBe('1');
  });

  it("the client's own retry honours retry-after-ms and then succeeds", async () => {
    const retrying = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 1 });
    const started = performance.now();
    const { data, response } = await retrying.chat.completions
      .create(
        { model: 'ref-chat', messages, max_tokens: 4 },
        {
          // `times` counts attempts of one logical call, which the server knows by its Idempotency-Key.
          headers: {
            'x-aiaas-fault': faultHeader(fault.status(429, { retryAfterMs: 120, times: 1 })),
            'Idempotency-Key': 'openai-client-retry-1',
          },
        },
      )
      .withResponse();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(response.status).toBe(200);
    expect(data.usage?.completion_tokens).toBe(4);
  });
});
