import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatTokenizer } from '../../../../../src/server/generation/chat-tokenizer.js';
import { compileSchema } from '../../../../../src/server/generation/constrained/compile-schema.js';
import { ConstrainedSequence } from '../../../../../src/server/generation/constrained/constrained-sequence.js';
import { shortestCompletion } from '../../../../../src/server/generation/constrained/json-completion.js';
import {
  advanceText,
  initialStack,
} from '../../../../../src/server/generation/constrained/json-prefix-matcher.js';
import { TokenVocabulary } from '../../../../../src/server/generation/constrained/token-vocabulary.js';
import { createSeededRandom, sampleToken } from '../../../../../src/server/generation/sampler.js';
import { builtInModelsDir } from '../../../../../src/server/models/model-files.js';
import {
  jsonSchemaArbitrary,
  validatorOf,
  valueArbitrary,
} from '../../../../support/json-schema-arbitrary.js';

let vocabulary: TokenVocabulary;
/** Property runs that decode hundreds of sequences: slow on a loaded machine, so not held to the default 30 s. */
const manyRuns = { timeout: 120_000 };

beforeAll(async () => {
  vocabulary = TokenVocabulary.of(await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat')));
});

/** Decodes with random logits (a model that rambles anywhere) until the value is finished or the budget is spent. */
function decode(
  schema: Record<string, unknown>,
  seed: number,
  maxTokens: number,
): { text: string; tokens: number } {
  const sequence = new ConstrainedSequence(vocabulary, { schema });
  const random = createSeededRandom(seed);
  const logits = new Float32Array(vocabulary.size);
  let text = '';
  let tokens = 0;
  while (!sequence.finished && tokens < maxTokens) {
    for (let id = 0; id < logits.length; id++) logits[id] = random() * 8;
    const piece = sequence.next(logits, maxTokens - tokens, (masked) =>
      sampleToken(masked, { temperature: 1, topP: 1, topK: 0 }, random),
    );
    text += piece.text;
    tokens++;
  }
  return { text, tokens };
}

describe('the JSON prefix matcher', () => {
  it('accepts every valid JSON text of a schema, character by character', manyRuns, () => {
    const schemaAndValue = jsonSchemaArbitrary.chain((schema) =>
      valueArbitrary(schema).map((value) => ({ schema, value })),
    );
    fc.assert(
      fc.property(schemaAndValue, ({ schema, value }) => {
        const text = JSON.stringify(value);
        const end = advanceText(initialStack(compileSchema(schema, 'schema')), text);
        expect(end?.frame.t, text).toBe('done');
      }),
      { numRuns: 300 },
    );
  });

  it('completes every accepted prefix into a text that parses and validates', manyRuns, () => {
    const prefixes = jsonSchemaArbitrary.chain((schema) =>
      valueArbitrary(schema).chain((value) => {
        const text = JSON.stringify(value);
        return fc
          .integer({ min: 0, max: text.length })
          .map((cut) => ({ schema, prefix: [...text].slice(0, cut).join('') }));
      }),
    );
    fc.assert(
      fc.property(prefixes, ({ schema, prefix }) => {
        const stack = advanceText(initialStack(compileSchema(schema, 'schema')), prefix)!;
        const full = prefix + shortestCompletion(stack);
        expect(validatorOf(schema).safeParse(JSON.parse(full)).success, full).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects text that leaves the schema', () => {
    const root = initialStack(
      compileSchema(
        {
          type: 'object',
          properties: { a: { type: 'integer' } },
          required: ['a'],
          additionalProperties: false,
        },
        's',
      ),
    );
    for (const bad of ['[', '{"b"', '{"a":1.5}', '{"a":01', '{}', '{"a":1,"a":2}', '{"a":1} ', '{ "a":1}']) {
      expect(advanceText(root, bad), bad).toBeUndefined();
    }
    const open = initialStack(compileSchema({ type: 'object' }, 's'));
    expect(advanceText(open, '{"a":1,"a"')).toBeUndefined();
    expect(advanceText(open, '{"a":1,"\\u0061"')).toBeUndefined();
    expect(advanceText(open, '{"a":[{},null,"x",-1.5e+3],"b":true}')?.frame.t).toBe('done');
  });
});

describe('constrained decoding', () => {
  it(
    'always ends in text that parses and validates, even when the model rambles and the budget is tight',
    manyRuns,
    () => {
      fc.assert(
        fc.property(
          jsonSchemaArbitrary,
          fc.integer({ min: 0, max: 2 ** 31 }),
          fc.integer({ min: 0, max: 40 }),
          (schema, seed, slack) => {
            const needed = new ConstrainedSequence(vocabulary, { schema }).tokensToFinish();
            const { text, tokens } = decode(schema, seed, needed + slack);
            expect(tokens).toBeLessThanOrEqual(needed + slack);
            expect(validatorOf(schema).safeParse(JSON.parse(text)).success, text).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('spells keys and brackets the vocabulary has no token for', () => {
    const schema = {
      type: 'object',
      properties: { b_x: { type: 'array', items: { type: 'boolean' }, minItems: 1 } },
      required: ['b_x'],
      additionalProperties: false,
    };
    const { text } = decode(schema, 3, 60);
    expect(JSON.parse(text)).toMatchObject({ b_x: expect.any(Array) });
  });

  it('writes any JSON object for json_object', manyRuns, () => {
    for (let seed = 0; seed < 20; seed++) {
      const { text } = decode({ type: 'object' }, seed, 40);
      expect(typeof JSON.parse(text)).toBe('object');
    }
  });
});
