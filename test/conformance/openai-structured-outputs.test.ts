import fc from 'fast-check';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { jsonSchemaArbitrary, validatorOf } from '../support/json-schema-arbitrary.js';

// Structured outputs and tool calls through the official openai client: ref-chat's decoding is
// constrained to the schema, so every answer parses and validates whatever the model prefers.

let server: ReferenceServer;
let client: OpenAI;
const apiKey = 'sk-conformance-structured';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => server.close());

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'Describe the state of the union as JSON.' },
];
const schemas = fc.sample(jsonSchemaArbitrary, { numRuns: 50, seed: 20 });
/** 50 generations each, and the first meets every schema's token masks cold: slow on a loaded machine. */
const fiftySchemas = { timeout: 240_000 };

function jsonSchemaFormat(schema: Record<string, unknown>) {
  return { type: 'json_schema' as const, json_schema: { name: 'answer', schema, strict: true } };
}

describe('response_format json_schema through the openai client', () => {
  it('answers content that parses and validates, for 50 random schemas', fiftySchemas, async () => {
    for (const [index, schema] of schemas.entries()) {
      const completion = await client.chat.completions.create({
        model: 'ref-chat',
        messages,
        response_format: jsonSchemaFormat(schema),
        max_tokens: 600,
        seed: index,
      });
      const content = completion.choices[0]!.message.content!;
      expect(validatorOf(schema).safeParse(JSON.parse(content)).success, content).toBe(true);
      expect(completion.choices[0]!.finish_reason).toBe('stop');
    }
  });

  it('streams content that parses and validates, for the same 50 schemas', fiftySchemas, async () => {
    for (const [index, schema] of schemas.entries()) {
      const stream = await client.chat.completions.create({
        model: 'ref-chat',
        messages,
        response_format: jsonSchemaFormat(schema),
        max_tokens: 600,
        seed: index,
        stream: true,
      });
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      expect(validatorOf(schema).safeParse(JSON.parse(content)).success, content).toBe(true);
    }
  });

  it('answers a JSON object for json_object', async () => {
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      response_format: { type: 'json_object' },
      max_tokens: 40,
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toBeTypeOf('object');
  });

  it('answers 400 naming an unsupported keyword and its path', async () => {
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]+$' } } };
    const error = (await client.chat.completions
      .create({ model: 'ref-chat', messages, response_format: jsonSchemaFormat(schema) })
      .catch((caught: unknown) => caught)) as APIError;
    expect(error.status).toBe(400);
    expect(error.message).toContain("'pattern'");
    expect(error.message).toContain('response_format.json_schema.schema.properties.code.pattern');
  });

  it('answers 400 when max_tokens cannot fit the shortest valid JSON', async () => {
    const schema = jsonSchemaArbitrary;
    const wide = fc.sample(schema, { numRuns: 1, seed: 3 })[0]!;
    const error = (await client.chat.completions
      .create({ model: 'ref-chat', messages, response_format: jsonSchemaFormat(wide), max_tokens: 1 })
      .catch((caught: unknown) => caught)) as APIError;
    expect(error.status).toBe(400);
    expect(error.message).toContain('shortest JSON');
  });
});

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 20 }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};
const argumentsValidator = validatorOf(weatherTool.function.parameters as Record<string, unknown>);

describe('tool calls through the openai client', () => {
  it('answers tool calls whose arguments validate, for a named tool choice', async () => {
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 60,
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ type: 'function', id: expect.stringMatching(/^call_/) });
    expect(call.function.name).toBe('get_weather');
    expect(argumentsValidator.safeParse(JSON.parse(call.function.arguments)).success).toBe(true);
  });

  it('streams tool call deltas in OpenAI shape for tool_choice required, and takes tool results back', async () => {
    const stream = client.chat.completions.stream({
      model: 'ref-chat',
      messages,
      tools: [weatherTool],
      tool_choice: 'required',
      max_tokens: 60,
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message
      .tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(argumentsValidator.safeParse(JSON.parse(call.function.arguments)).success).toBe(true);

    const answer = await client.chat.completions.create({
      model: 'ref-chat',
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature":21}' },
      ],
      max_tokens: 8,
    });
    expect(answer.choices[0]!.message.content).toBeTypeOf('string');
  });

  it('streams the call as OpenAI does: id and name first, then argument fragments, then finish_reason', async () => {
    const stream = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 60,
      stream: true,
    });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    const reasons: (string | null)[] = [];
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      reasons.push(chunk.choices[0]?.finish_reason ?? null);
    }
    const [first, ...rest] = deltas;
    expect(first).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function' });
    expect(first!.function).toEqual({ name: 'get_weather', arguments: '' });
    expect(rest.length).toBeGreaterThan(1);
    for (const delta of rest) expect(Object.keys(delta.function!)).toEqual(['arguments']);
    const text = rest.map((delta) => delta.function!.arguments).join('');
    expect(argumentsValidator.safeParse(JSON.parse(text)).success).toBe(true);
    expect(reasons.at(-1)).toBe('tool_calls');
  });

  it('answers 400 for a tool choice naming no tool', async () => {
    const error = (await client.chat.completions
      .create({
        model: 'ref-chat',
        messages,
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      })
      .catch((caught: unknown) => caught)) as APIError;
    expect(error.status).toBe(400);
    expect(error.message).toContain('nope');
  });
});
