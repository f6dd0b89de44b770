import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, estimateTokens, quoteRange } from '../../../src/cost/cost-estimator.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { UnpricedModelError } from '../../../src/errors/index.js';

const catalog = PriceCatalog.fromObject({
  currency: 'USD',
  cards: [
    {
      id: 'gpt-4o',
      prices: [
        {
          effectiveFrom: '2024-08-06',
          inputPerMillionTokens: '2.50',
          outputPerMillionTokens: '10',
          perRequest: '0.0001',
        },
      ],
    },
    {
      id: 'o3',
      prices: [
        {
          effectiveFrom: '2024-08-06',
          inputPerMillionTokens: '2',
          outputPerMillionTokens: '8',
          reasoningPerMillionTokens: '12',
        },
      ],
    },
  ],
});

describe('estimateTokens', () => {
  it('counts with o200k_base and treats special-token markers as text', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('Hello, world!')).toBe(4);
    expect(estimateTokens('hello <|endoftext|>')).toBeGreaterThan(2);
    expect(estimateTokens('word '.repeat(100))).toBeGreaterThanOrEqual(100);
  });

  it('adds chat framing per message', () => {
    const content = 'What is the capital of France?';
    const single = estimatePromptTokens([{ role: 'user', content }]);
    expect(single).toBe(3 + 3 + estimateTokens('user') + estimateTokens(content));
    const parts = estimatePromptTokens([
      { role: 'user', content: [{ type: 'text', text: content }, { type: 'image_url' }] },
    ]);
    expect(parts).toBe(single);
    expect(estimatePromptTokens([{ role: 'user', name: 'ann', content: null }])).toBe(
      3 + 3 + 1 + estimateTokens('user') + estimateTokens('ann'),
    );
  });
});

describe('quoteRange', () => {
  it('bounds the cost: min is input (and the request fee), max adds max output at the output rate', () => {
    const quote = quoteRange({ model: 'gpt-4o', promptTokens: 1000, maxOutputTokens: 500, catalog });
    expect(quote.min.toDecimalString()).toBe('0.0026');
    expect(quote.max.toDecimalString()).toBe('0.0076');
    expect(quote).toMatchObject({
      promptTokens: 1000,
      maxOutputTokens: 500,
      provenance: 'estimated',
      currency: 'USD',
    });
  });

  it('uses the reasoning rate for max when it is higher than the output rate', () => {
    const quote = quoteRange({
      model: 'o3',
      promptTokens: 0,
      maxOutputTokens: 1_000_000,
      catalog,
      provenance: 'reported',
    });
    expect(quote.max.toDecimalString()).toBe('12');
    expect(quote.min.isZero()).toBe(true);
    expect(quote.provenance).toBe('reported');
  });

  it('refuses bad counts and unpriced models', () => {
    expect(() => quoteRange({ model: 'gpt-4o', promptTokens: -1, maxOutputTokens: 1, catalog })).toThrow(
      /promptTokens/,
    );
    expect(() => quoteRange({ model: 'gpt-4o', promptTokens: 1, maxOutputTokens: 1.5, catalog })).toThrow(
      /maxOutputTokens/,
    );
    expect(() => quoteRange({ model: 'nope', promptTokens: 1, maxOutputTokens: 1, catalog })).toThrow(
      UnpricedModelError,
    );
    expect(() =>
      quoteRange({
        model: 'gpt-4o',
        promptTokens: 1,
        maxOutputTokens: 1,
        catalog,
        at: new Date('2020-01-01'),
      }),
    ).toThrow(UnpricedModelError);
  });
});
