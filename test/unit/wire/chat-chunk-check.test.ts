import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCommonChatChunk } from '../../../src/wire/openai/chat-chunk-check.js';
import { chatCompletionChunkSchema } from '../../../src/wire/openai/chat-schemas.js';

/** Near-valid values: each field is often right, sometimes wrong in a way the schema cares about. */
const anyJson = fc.jsonValue({ maxDepth: 2 });
const maybe = <Value>(right: fc.Arbitrary<Value>) =>
  fc.oneof({ weight: 15, arbitrary: right }, { weight: 1, arbitrary: anyJson });
const integerLike = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, -1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e21),
);

const delta = fc.record(
  {
    role: maybe(fc.constantFrom('assistant', 'user')),
    content: maybe(fc.oneof(fc.string(), fc.constant(null))),
    refusal: maybe(fc.oneof(fc.string(), fc.constant(null))),
    tool_calls: maybe(fc.constant([{ index: 0, function: { arguments: '{' } }])),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const choice = fc.record(
  {
    index: maybe(integerLike),
    delta: maybe(delta),
    finish_reason: maybe(fc.oneof(fc.constantFrom('stop', 'length'), fc.constant(null))),
    logprobs: anyJson,
  },
  { requiredKeys: ['index', 'delta'] },
);
const chunk = fc.record(
  {
    id: maybe(fc.string()),
    object: maybe(fc.constantFrom('chat.completion.chunk', 'text_completion')),
    created: maybe(integerLike),
    model: maybe(fc.string()),
    choices: maybe(fc.array(maybe(choice), { maxLength: 3 })),
    usage: maybe(fc.constantFrom(null, null, null, { prompt_tokens: 1, total_tokens: 2 })),
    system_fingerprint: maybe(fc.oneof(fc.string(), fc.constant(null))),
    [`x_${'provider'}`]: anyJson,
  },
  { requiredKeys: ['id', 'object', 'created', 'model', 'choices'] },
);

describe('isCommonChatChunk, the hand check in front of chatCompletionChunkSchema', () => {
  it('never passes what the schema rejects, and what it passes the schema parses to the same value (property)', () => {
    let passed = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: chunk }, { weight: 1, arbitrary: anyJson }),
        (generated) => {
          // What a stream hands it: a value straight from JSON.parse.
          const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
          if (!isCommonChatChunk(value)) return;
          passed += 1;
          const parsed = chatCompletionChunkSchema.safeParse(value);
          expect(parsed.success).toBe(true);
          expect(value).toStrictEqual(parsed.data);
        },
      ),
      { numRuns: 3_000, seed: 7 },
    );
    // The property means something only if the hand check passed a fair share of the values.
    expect(passed).toBeGreaterThan(100);
  });

  it('passes the common text chunk and leaves usage and tool call chunks to the schema', () => {
    const text = {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null, logprobs: null }],
    };
    expect(isCommonChatChunk(text)).toBe(true);
    expect(isCommonChatChunk({ ...text, usage: { prompt_tokens: 1, total_tokens: 1 } })).toBe(false);
    expect(
      isCommonChatChunk({ ...text, choices: [{ index: 0, delta: { tool_calls: [{ index: 0 }] } }] }),
    ).toBe(false);
    expect(isCommonChatChunk({ ...text, created: 1.5 })).toBe(false);
    expect(isCommonChatChunk({ ...text, choices: [{ index: -1, delta: {} }] })).toBe(false);
  });

  it('never passes a chunk that carries an in-band error, even null', () => {
    const text = {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }],
    };
    expect(isCommonChatChunk({ ...text, error: { message: 'overloaded' } })).toBe(false);
    expect(isCommonChatChunk(JSON.parse(JSON.stringify({ ...text, error: null })))).toBe(false);
  });
});
