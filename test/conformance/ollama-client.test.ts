import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { fault, faultHeader } from '../../src/testing/index.js';

// The official ollama client (0.6) is how most JavaScript code talks to an Ollama server:
// whatever it does without a workaround against aiaas/server is what "serves Ollama's API" means.

let server: ReferenceServer;
let client: Ollama;
const apiKey = 'sk-conformance-ollama';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  client = new Ollama({ host: server.url, headers: { Authorization: `Bearer ${apiKey}` } });
});
afterAll(() => server.close());

const messages = [
  { role: 'system', content: 'You answer questions about the union.' },
  { role: 'user', content: 'What about jobs and health care?' },
];
const options = { temperature: 0.6, seed: 9, num_predict: 10 };

/** The billed records of the conformance key, from `GET /v1/usage`. */
async function billedRecords(): Promise<{ model: string; usage: Record<string, number> }[]> {
  const response = await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } });
  return ((await response.json()) as { data: { model: string; usage: Record<string, number> }[] }).data;
}

describe('the ollama client against aiaas/server', () => {
  it('lists the models with their tags, and shows one', async () => {
    const { models } = await client.list();
    expect(models.map((model) => model.name)).toEqual(['ref-chat:latest', 'ref-embed:latest']);
    // Typed as a Date, sent as Ollama's RFC 3339 text (the client does not convert it).
    expect(Number.isNaN(Date.parse(String(models[0]?.modified_at)))).toBe(false);
    expect(models[0]?.size).toBeGreaterThan(0);
    const shown = await client.show({ model: 'ref-chat' });
    expect(shown.capabilities).toEqual(['completion']);
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('chats, and streams the same reply piece by piece with the counters on the last part', async () => {
    const whole = await client.chat({ model: 'ref-chat', messages, options });
    expect(whole.message.role).toBe('assistant');
    expect(whole.message.content.length).toBeGreaterThan(0);
    expect(whole.done).toBe(true);
    expect(whole.eval_count).toBeGreaterThan(0);
    expect(whole.total_duration).toBeGreaterThan(0);

    const stream = await client.chat({ model: 'ref-chat:latest', messages, options, stream: true });
    let text = '';
    let parts = 0;
    let last: typeof whole | undefined;
    for await (const part of stream) {
      text += part.message.content;
      parts += 1;
      last = part;
    }
    expect(text).toBe(whole.message.content);
    expect(parts).toBeGreaterThan(2);
    expect(last).toMatchObject({
      done: true,
      done_reason: whole.done_reason,
      eval_count: whole.eval_count,
      prompt_eval_count: whole.prompt_eval_count,
    });
  });

  it('generates, and streams a generation, with the context to continue from', async () => {
    const whole = await client.generate({ model: 'ref-chat', prompt: 'We the people', options });
    expect(whole.response?.length).toBeGreaterThan(0);
    expect(whole.context.length).toBe(whole.prompt_eval_count + whole.eval_count);
    let text = '';
    for await (const part of await client.generate({
      model: 'ref-chat',
      prompt: 'We the people',
      options,
      stream: true,
    })) {
      text += part.response;
    }
    expect(text).toBe(whole.response);
  });

  it('gets JSON of the schema it passes as format (structured outputs)', async () => {
    const format = {
      type: 'object',
      properties: { topic: { type: 'string' }, urgent: { type: 'boolean' } },
      required: ['topic', 'urgent'],
      additionalProperties: false,
    };
    const reply = await client.chat({
      model: 'ref-chat',
      messages,
      format,
      options: { seed: 2, num_predict: 60 },
    });
    const parsed = JSON.parse(reply.message.content) as { topic: unknown; urgent: unknown };
    expect(typeof parsed.topic).toBe('string');
    expect(typeof parsed.urgent).toBe('boolean');
  });

  it('embeds one input and several, one vector each', async () => {
    const one = await client.embed({ model: 'ref-embed', input: 'a more perfect union' });
    expect(one.embeddings).toHaveLength(1);
    const several = await client.embed({ model: 'ref-embed', input: ['justice', 'tranquility', 'welfare'] });
    expect(several.embeddings).toHaveLength(3);
    expect(several.embeddings[2]).toHaveLength(one.embeddings[0]!.length);
  });

  it("bills the client's calls like any others in GET /v1/usage", async () => {
    const records = await billedRecords();
    // 5 generations (3 chats, 2 generates) and 2 embeddings so far in this file.
    expect(records.map((record) => record.model).sort()).toEqual([
      'ref-chat',
      'ref-chat',
      'ref-chat',
      'ref-chat',
      'ref-chat',
      'ref-embed',
      'ref-embed',
    ]);
    for (const record of records) expect(record.usage.input_tokens).toBeGreaterThan(0);
  });

  it('gets its ResponseError with the message and status for a missing model and an injected fault', async () => {
    const missing = await client.chat({ model: 'llama9', messages }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'ResponseError', status_code: 404 });
    expect((missing as Error).message).toContain('model "llama9" not found');
    const faulted = new Ollama({
      host: server.url,
      headers: { Authorization: `Bearer ${apiKey}`, 'x-aiaas-fault': faultHeader(fault.status(503)) },
    });
    const refused = await faulted
      .generate({ model: 'ref-chat', prompt: 'x' })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'ResponseError', status_code: 503 });
  });
});
