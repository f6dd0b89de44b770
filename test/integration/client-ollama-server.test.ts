import { beforeAll, describe, expect, it } from 'vitest';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import { InternalServerError, NotFoundError, TimeoutError } from '../../src/errors/index.js';
import { reconcile } from '../../src/index.js';
import { fault, faultHeader } from '../../src/testing/fault-header-builder.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

const reference = useTestReferenceServer({ pricing: 'server', maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'What did the President say about the economy?' }];

let ollama: AiaasClient;
beforeAll(() => {
  ollama = reference.client({ provider: 'ollama' });
});

/** Every ledger entry of the client against every record the server billed: no difference. */
async function expectReconciled(): Promise<void> {
  const result = reconcile(await ollama.ledger.entries(), await fetchServerUsage(reference.url));
  const different = result.groups.filter((group) => group.status !== 'matched');
  expect(different.map((group) => ({ key: group.key, status: group.status, ...group.usage }))).toEqual([]);
  expect(result.zeroDifference).toBe(true);
}

describe("the SDK's ollama provider against aiaas/server's Ollama API, over real sockets", () => {
  it('chats, streams the same text, completes, embeds and lists models', async () => {
    const params = { model: 'ref-chat', messages, max_tokens: 12, seed: 3, temperature: 0.5 };
    const { data, usage } = await ollama.chat.completions.create(params).withResponse();
    const text = data.choices[0]?.message.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.computeMs.value).toBeGreaterThan(0);
    expect(usage?.computeMs.provenance).toBe('reported');

    const streamed = await (await ollama.chat.completions.stream(params)).final();
    expect(streamed.choices[0]?.message.content).toBe(text);
    expect(streamed.usage.provenance).toBe('reported');
    expect(streamed.usage.tokens).toMatchObject({
      prompt_tokens: data.usage?.prompt_tokens,
      completion_tokens: data.usage?.completion_tokens,
    });

    const completion = await ollama.completions.create({
      model: 'ref-chat',
      prompt: 'We the',
      max_tokens: 6,
    });
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const streamedCompletion = await (
      await ollama.completions.stream({ model: 'ref-chat', prompt: 'We the', max_tokens: 6 })
    ).final();
    expect(streamedCompletion.choices[0]?.message.content).toBe(completion.choices[0]?.text);

    const embeddings = await ollama.embeddings.create({
      model: 'ref-embed',
      input: ['a union', 'of states'],
    });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding.length).toBeGreaterThan(0);
    expect(embeddings.usage.prompt_tokens).toBeGreaterThan(0);

    const models = await ollama.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['ref-chat:latest', 'ref-embed:latest']);
    expect(await ollama.models.retrieve('ref-chat:latest')).toMatchObject({ id: 'ref-chat:latest' });
  });

  it('asks for JSON of a schema through response_format, which the provider sends as format', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' } },
      required: ['answer'],
      additionalProperties: false,
    };
    const completion = await ollama.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 40,
      seed: 5,
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema } },
    });
    expect(Object.keys(JSON.parse(completion.choices[0]?.message.content ?? ''))).toEqual(['answer']);
  });

  it("records each call's cost in the ledger and reconciles it with the server's /v1/usage", async () => {
    const entries = await ollama.ledger.entries();
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) expect(entry.cost?.isZero(), `${entry.model} cost`).toBe(false);
    await expectReconciled();
  });

  it('a stream left after 3 text pieces is cancelled on the server and recorded at what it billed', async () => {
    const stream = await ollama.chat.completions.stream(
      { model: 'ref-chat', messages, max_tokens: 96, temperature: 0 },
      { headers: { 'x-aiaas-fault': faultHeader(fault.chunkDelay(15)) }, idempotencyKey: 'ollama-left' },
    );
    let texts = 0;
    for await (const event of stream) {
      if (event.type === 'text-delta') texts += 1;
      if (texts === 3) break;
    }
    await expect(stream.final()).rejects.toThrow();
    const [entry] = await ollama.ledger.entries({ idempotencyKey: 'ollama-left' });
    expect(entry?.status).toBe('aborted');
    expect(entry?.usage.outputTokens.provenance).toBe('reported');
    expect(entry?.usage.outputTokens.value).toBeLessThan(96);
    await expectReconciled();
  });

  it('a call that timed out after sending is recorded at what the server billed it, read by its key', async () => {
    const impatient = reference.client({ provider: 'ollama', timeout: 1_000 });
    // The server answers long after the client gave up, and bills the call under its idempotency key.
    const error = await impatient.chat.completions
      .create(
        { model: 'ref-chat', messages, max_tokens: 8 },
        { headers: { 'x-aiaas-fault': faultHeader(fault.delay(2_500)) }, idempotencyKey: 'ollama-late' },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    await impatient.settled();
    const [entry] = await impatient.ledger.entries({ idempotencyKey: 'ollama-late' });
    expect(entry?.usage.outputTokens).toEqual({ value: 8, provenance: 'reported' });
  });

  it("maps the server's Ollama errors and injected faults to the SDK's typed errors", async () => {
    await expect(ollama.chat.completions.create({ model: 'ref-classify', messages })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      ollama.chat.completions.create(
        { model: 'ref-chat', messages, max_tokens: 4 },
        { headers: { 'x-aiaas-fault': faultHeader(fault.status(503)) } },
      ),
    ).rejects.toThrow(InternalServerError);
  });
});
