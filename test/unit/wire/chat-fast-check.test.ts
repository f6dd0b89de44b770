import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastChatCompletion, fastChatRequest } from '../../../src/wire/openai/chat-fast-check.js';
import { chatCompletionRequestSchema, chatCompletionSchema } from '../../../src/wire/openai/chat-schemas.js';

/** Near-valid values: each field is often right, sometimes wrong in a way the schema cares about. */
const anyJson = fc.jsonValue({ maxDepth: 2 });
const maybe = <Value>(right: fc.Arbitrary<Value>) =>
  fc.oneof({ weight: 12, arbitrary: right }, { weight: 1, arbitrary: anyJson });
const integerLike = fc.oneof(
  fc.integer({ min: -5, max: 40 }),
  fc.constantFrom(0.5, -1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e21),
);
const numberLike = fc.oneof(integerLike, fc.double({ min: -3, max: 3, noNaN: true }));
const nullishString = fc.oneof(fc.string(), fc.constant(null));

const responseMessage = fc.record(
  {
    role: maybe(fc.constantFrom('assistant', 'user')),
    content: maybe(nullishString),
    refusal: maybe(nullishString),
    tool_calls: maybe(fc.constant([{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }])),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const choice = fc.record(
  {
    index: maybe(integerLike),
    message: maybe(responseMessage),
    finish_reason: maybe(fc.oneof(fc.constantFrom('stop', 'length'), fc.constant(null))),
    logprobs: anyJson,
  },
  { requiredKeys: ['index', 'message', 'finish_reason'] },
);
const usage = fc.record(
  {
    prompt_tokens: maybe(integerLike),
    completion_tokens: maybe(integerLike),
    total_tokens: maybe(integerLike),
    prompt_tokens_details: maybe(fc.constantFrom(null, { cached_tokens: 2 }, { cached_tokens: -1 })),
    completion_tokens_details: maybe(fc.constantFrom(null, { reasoning_tokens: 1 })),
  },
  { requiredKeys: ['prompt_tokens', 'total_tokens'] },
);
const completion = fc.record(
  {
    id: maybe(fc.string()),
    object: maybe(fc.constantFrom('chat.completion', 'chat.completion.chunk')),
    created: maybe(integerLike),
    model: maybe(fc.string()),
    choices: maybe(fc.array(maybe(choice), { maxLength: 3 })),
    usage: maybe(fc.oneof(fc.constant(null), usage)),
    system_fingerprint: maybe(nullishString),
    x_provider: anyJson,
  },
  { requiredKeys: ['id', 'object', 'created', 'model', 'choices'] },
);

const requestMessage = fc.record(
  {
    role: maybe(fc.constantFrom('system', 'developer', 'user', 'user', 'assistant', 'tool')),
    content: maybe(
      fc.oneof(
        { weight: 8, arbitrary: fc.string() },
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constant([{ type: 'text', text: 'x' }]) },
      ),
    ),
    name: maybe(fc.string()),
    refusal: maybe(nullishString),
    extra: anyJson,
  },
  { requiredKeys: ['role'] },
);
// Fields the hand check leaves to the schema, added to some requests.
const schemaOnlyFields = fc.record(
  { top_p: maybe(numberLike), tools: maybe(fc.constant([])), stop: maybe(fc.string()) },
  { requiredKeys: [] },
);
const request = fc.record(
  {
    model: maybe(fc.string({ maxLength: 3 })),
    messages: maybe(fc.array(maybe(requestMessage), { maxLength: 2 })),
    max_tokens: maybe(fc.oneof(integerLike, fc.constant(null))),
    temperature: maybe(fc.oneof(numberLike, fc.constant(null))),
    n: maybe(fc.oneof(integerLike, fc.constant(null))),
    seed: maybe(fc.oneof(integerLike, fc.constant(null))),
    stream: maybe(fc.oneof(fc.boolean(), fc.constant(null))),
    user: maybe(fc.string()),
    vendor_extension: anyJson,
  },
  { requiredKeys: ['model', 'messages'] },
);
const anyRequest = fc.oneof(
  { weight: 4, arbitrary: request },
  {
    weight: 1,
    arbitrary: fc.tuple(request, schemaOnlyFields).map(([fields, more]) => ({ ...fields, ...more })),
  },
  { weight: 1, arbitrary: anyJson },
);

describe('fastChatCompletion, the hand check in front of chatCompletionSchema', () => {
  it('never passes what the schema rejects, and what it passes equals the schema’s output (property)', () => {
    let passed = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: completion }, { weight: 1, arbitrary: anyJson }),
        (generated) => {
          // What the transport hands it: a value straight from JSON.parse.
          const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
          const fast = fastChatCompletion(value);
          if (fast === undefined) return;
          passed += 1;
          const parsed = chatCompletionSchema.safeParse(value);
          expect(parsed.success).toBe(true);
          expect(fast).toStrictEqual(parsed.data);
        },
      ),
      { numRuns: 4_000, seed: 11 },
    );
    // The property means something only if the hand check passed a fair share of the values.
    expect(passed).toBeGreaterThan(100);
  });

  it('passes the common completion and leaves tool calls, usage details and bad values to the schema', () => {
    const common = {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    };
    expect(fastChatCompletion(common)).toBe(common);
    const toolCall = { id: 't', type: 'function', function: { name: 'f', arguments: '{}' } };
    const withTools = {
      ...common,
      choices: [
        { ...common.choices[0], message: { role: 'assistant', content: null, tool_calls: [toolCall] } },
      ],
    };
    expect(fastChatCompletion(withTools)).toBeUndefined();
    // Missing completion_tokens gets the schema's default of 0: only zod can add it.
    expect(fastChatCompletion({ ...common, usage: { prompt_tokens: 3, total_tokens: 3 } })).toBeUndefined();
    expect(fastChatCompletion({ ...common, created: 1.5 })).toBeUndefined();
    expect(fastChatCompletion({ ...common, object: 'chat.completion.chunk' })).toBeUndefined();
  });
});

describe('fastChatRequest, the hand check in front of chatCompletionRequestSchema', () => {
  it('never passes what the schema rejects, and what it returns equals the schema’s output (property)', () => {
    let passed = 0;
    fc.assert(
      fc.property(anyRequest, (generated) => {
        const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        const fast = fastChatRequest(value);
        if (fast === undefined) return;
        passed += 1;
        const parsed = chatCompletionRequestSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: 6_000, seed: 12 },
    );
    expect(passed).toBeGreaterThan(100);
  });

  it('copies the params and their messages, as the schema does', () => {
    const params = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };
    const request = fastChatRequest(params);
    expect(request).toEqual(params);
    expect(request).not.toBe(params);
    expect(request?.messages[0]).not.toBe(params.messages[0]);
    expect(fastChatRequest({ ...params, messages: [] })).toBeUndefined();
    expect(fastChatRequest({ ...params, temperature: 3 })).toBeUndefined();
    expect(fastChatRequest({ ...params, tools: [] })).toBeUndefined();
    expect(fastChatRequest({ ...params, vendor_extension: { any: 1 } })).toEqual({
      ...params,
      vendor_extension: { any: 1 },
    });
  });
});
