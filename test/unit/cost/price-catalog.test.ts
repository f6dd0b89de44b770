import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { UnpricedModelError, ValidationError } from '../../../src/errors/index.js';
import { useTemporaryDirectories } from '../../support/temporary-directories.js';

const temporaryDirectory = useTemporaryDirectories('aiaas-catalog');

const gpt4o = {
  id: 'openai/gpt-4o',
  aliases: ['gpt-4o'],
  patterns: ['gpt-4o-20??-*', 'openai/gpt-4o-*'],
  source: 'https://openai.com/api/pricing',
  prices: [
    { effectiveFrom: '2024-05-13', inputPerMillionTokens: '5.00', outputPerMillionTokens: '15.00' },
    {
      effectiveFrom: '2024-08-06',
      inputPerMillionTokens: '2.50',
      cacheReadPerMillionTokens: '1.25',
      outputPerMillionTokens: '10.00',
    },
  ],
};
const catalogObject = { currency: 'USD', cards: [gpt4o] };

describe('PriceCatalog lookup', () => {
  const catalog = PriceCatalog.fromObject(catalogObject);

  it('maps the id, aliases and patterns to one card, case-insensitively', () => {
    const at = new Date('2024-09-01');
    for (const name of [
      'openai/gpt-4o',
      'gpt-4o',
      'GPT-4o',
      'gpt-4o-2024-08-06',
      'openai/gpt-4o-2024-11-20',
    ]) {
      expect(catalog.priceOf(name, at).card.id).toBe('openai/gpt-4o');
    }
    expect(catalog.priceOf('gpt-4o', at).matchedBy).toBe('alias');
    expect(catalog.priceOf('gpt-4o-2024-08-06', at).matchedBy).toBe('pattern');
    expect(catalog.modelIds()).toEqual(['openai/gpt-4o']);
  });

  it('uses the price in force at the request time and keeps older prices', () => {
    expect(catalog.priceOf('gpt-4o', new Date('2024-06-01')).price.inputPerMillionTokens).toBe('5.00');
    expect(catalog.priceOf('gpt-4o', new Date('2024-08-06T00:00:00Z')).price.inputPerMillionTokens).toBe(
      '2.50',
    );
    expect(catalog.priceOf('gpt-4o', new Date('2024-08-06T00:00:00Z')).effectiveFrom.toISOString()).toBe(
      '2024-08-06T00:00:00.000Z',
    );
  });

  it('throws UnpricedModelError for an unknown model, or before any price was in force', () => {
    expect(() => catalog.priceOf('mystery-model')).toThrow(UnpricedModelError);
    try {
      catalog.priceOf('gpt-4o', new Date('2020-01-01'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnpricedModelError);
      expect((error as UnpricedModelError).model).toBe('gpt-4o');
      expect((error as UnpricedModelError).code).toBe('price_not_yet_effective');
    }
    expect(() => catalog.cost('mystery-model', makeUsage({ inputTokens: 1 }))).toThrow(UnpricedModelError);
    expect(() => catalog.priceOf('gpt-4o', new Date('not a date'))).toThrow(/valid Date/);
  });

  it('picks the most specific pattern when several match', () => {
    const patterned = PriceCatalog.fromObject({
      currency: 'USD',
      cards: [
        {
          id: 'any-llama',
          patterns: ['*llama*'],
          prices: [{ effectiveFrom: '2024-01-01', perRequest: '1' }],
        },
        {
          id: 'llama-70b',
          patterns: ['*llama*70b*'],
          prices: [{ effectiveFrom: '2024-01-01', perRequest: '2' }],
        },
      ],
    });
    expect(patterned.priceOf('meta/llama-3-70b-instruct').card.id).toBe('llama-70b');
    expect(patterned.priceOf('meta/llama-3-8b').card.id).toBe('any-llama');
    expect(() => patterned.priceOf('mistral')).toThrow(UnpricedModelError);
  });
});

describe('PriceCatalog fallback', () => {
  it('blocks by default and when declared', () => {
    const blocking = PriceCatalog.fromObject(catalogObject, { fallback: 'block' });
    expect(() => blocking.priceOf('other')).toThrow(UnpricedModelError);
  });

  it('prices unknown models with a declared card, never a silent zero', () => {
    const catalog = PriceCatalog.fromObject(catalogObject, {
      fallback: {
        card: {
          id: 'default',
          currency: 'USD',
          prices: [{ effectiveFrom: '2000-01-01', inputPerMillionTokens: '100' }],
        },
      },
    });
    const cost = catalog.cost('unknown-model', makeUsage({ inputTokens: 10_000 }));
    expect(cost.matchedBy).toBe('fallback');
    expect(cost.cardId).toBe('default');
    expect(cost.total.toDecimalString()).toBe('1');
  });

  it('can name a card of the catalog as the fallback', () => {
    const catalog = PriceCatalog.fromObject(catalogObject, { fallback: { card: 'gpt-4o' } });
    expect(catalog.priceOf('who-knows', new Date('2024-09-01')).card.id).toBe('openai/gpt-4o');
    expect(() => PriceCatalog.fromObject(catalogObject, { fallback: { card: 'missing' } })).toThrow(
      /not in the price catalog/,
    );
  });
});

describe('PriceCatalog validation', () => {
  it.each([
    [
      'a number price',
      { cards: [{ ...gpt4o, prices: [{ effectiveFrom: '2024-01-01', inputPerMillionTokens: 2.5 }] }] },
    ],
    [
      'a negative price',
      { currency: 'USD', cards: [{ id: 'x', prices: [{ effectiveFrom: '2024-01-01', perRequest: '-1' }] }] },
    ],
    [
      'a misspelled rate',
      {
        currency: 'USD',
        cards: [{ id: 'x', prices: [{ effectiveFrom: '2024-01-01', inputPerMilionTokens: '1' }] }],
      },
    ],
    ['no rate at all', { currency: 'USD', cards: [{ id: 'x', prices: [{ effectiveFrom: '2024-01-01' }] }] }],
    [
      'a bad date',
      { currency: 'USD', cards: [{ id: 'x', prices: [{ effectiveFrom: '01/02/2024', perRequest: '1' }] }] },
    ],
    ['a duplicate name', { currency: 'USD', cards: [gpt4o, { id: 'GPT-4O', prices: gpt4o.prices }] }],
  ])('rejects %s', (_, value) => {
    expect(() => PriceCatalog.fromObject(value)).toThrow(ValidationError);
  });

  it('needs a currency on the card or the catalog', () => {
    expect(() => PriceCatalog.fromObject({ cards: [gpt4o] })).toThrow(/no currency/);
  });

  it('rejects two versions effective at the same instant', () => {
    const card = { ...gpt4o, prices: [gpt4o.prices[0], { ...gpt4o.prices[0] }] };
    expect(() => PriceCatalog.fromObject({ currency: 'USD', cards: [card] })).toThrow(/same instant/);
  });

  it('reads a catalog file and writes back an equal object', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'prices.json');
    await writeFile(path, JSON.stringify(catalogObject));
    const catalog = await PriceCatalog.fromFile(path);
    expect(catalog.priceOf('gpt-4o').card.source).toBe('https://openai.com/api/pricing');
    expect(PriceCatalog.fromObject(catalog.toObject()).toObject()).toEqual(catalog.toObject());
    await writeFile(path, '{ not json');
    await expect(PriceCatalog.fromFile(path)).rejects.toThrow(/not valid JSON/);
  });
});

describe('PriceCatalog.cost', () => {
  const everything = PriceCatalog.fromObject({
    currency: 'EUR',
    cards: [
      {
        id: 'everything',
        prices: [
          {
            effectiveFrom: '2025-01-01',
            inputPerMillionTokens: '2',
            cacheReadPerMillionTokens: '0.5',
            cacheWritePerMillionTokens: '2.5',
            outputPerMillionTokens: '8',
            reasoningPerMillionTokens: '12',
            perRequest: '0.001',
            perComputeSecond: '0.0004',
            perMegabyteIn: '0.02',
            perMegabyteOut: '0.01',
            perThousandTensorElements: '0.000003',
          },
        ],
      },
    ],
  });
  const usage = makeUsage({
    inputTokens: 1000,
    cacheReadTokens: 2000,
    cacheWriteTokens: 3000,
    outputTokens: 400,
    reasoningTokens: 600,
    computeMs: 1500,
    bytesIn: 2_500_000,
    bytesOut: 500_000,
    tensorElements: 10_000,
    requests: 1,
  });

  it('prices every bucket at its own rate and sums the lines exactly', () => {
    const cost = everything.cost('everything', usage, new Date('2025-06-01'));
    const amounts = Object.fromEntries(
      cost.lines.map((line) => [line.bucket, line.amount.toDecimalString()]),
    );
    expect(amounts).toEqual({
      inputTokens: '0.002',
      cacheReadTokens: '0.001',
      cacheWriteTokens: '0.0075',
      outputTokens: '0.0032',
      reasoningTokens: '0.0072',
      computeMs: '0.0006',
      bytesIn: '0.05',
      bytesOut: '0.005',
      tensorElements: '0.00003',
      requests: '0.001',
    });
    expect(cost.total.equals(Money.of('0.07753', 'EUR'))).toBe(true);
    expect(
      Money.sum(
        'EUR',
        cost.lines.map((line) => line.amount),
      ).equals(cost.total),
    ).toBe(true);
    expect(cost.lines.find((line) => line.bucket === 'bytesIn')).toMatchObject({
      rate: '0.02',
      per: '1000000 bytes',
      quantity: 2_500_000,
    });
    expect(cost.currency).toBe('EUR');
  });

  it('prices cache and reasoning tokens at the input and output rates when the card has no own rate', () => {
    const catalog = PriceCatalog.fromObject(catalogObject);
    const cost = catalog.cost(
      'gpt-4o',
      makeUsage({ inputTokens: 1_000_000, cacheWriteTokens: 1_000_000, reasoningTokens: 1_000_000 }),
      new Date('2024-09-01'),
    );
    const amounts = Object.fromEntries(
      cost.lines.map((line) => [line.bucket, line.amount.toDecimalString()]),
    );
    expect(amounts).toEqual({ inputTokens: '2.5', cacheWriteTokens: '2.5', reasoningTokens: '10' });
  });

  it('does not charge buckets the card has no rate for, and carries provenance on each line', () => {
    const catalog = PriceCatalog.fromObject(catalogObject);
    const cost = catalog.cost(
      'gpt-4o',
      makeUsage({ outputTokens: 10, computeMs: 500 }, 'estimated'),
      new Date('2024-09-01'),
    );
    expect(cost.lines.map((line) => line.bucket)).toEqual(['outputTokens']);
    expect(cost.lines[0]?.provenance).toBe('estimated');
    expect(cost.total.toDecimalString()).toBe('0.0001');
  });

  it('applies a long-context tier to the whole request above the threshold', () => {
    const catalog = PriceCatalog.fromObject({
      currency: 'USD',
      cards: [
        {
          id: 'gemini-2.5-pro',
          prices: [
            {
              effectiveFrom: '2025-01-01',
              inputPerMillionTokens: '1.25',
              outputPerMillionTokens: '10',
              cacheReadPerMillionTokens: '0.31',
              tiers: [
                { aboveInputTokens: 200_000, inputPerMillionTokens: '2.5', outputPerMillionTokens: '15' },
              ],
            },
          ],
        },
      ],
    });
    const at = new Date('2025-02-01');
    const below = catalog.cost('gemini-2.5-pro', makeUsage({ inputTokens: 200_000, outputTokens: 1000 }), at);
    expect(below.tierAboveInputTokens).toBeNull();
    expect(below.total.toDecimalString()).toBe('0.26');
    // 150k uncached + 50,001 cached = 200,001 input tokens: the tier applies to everything.
    const above = catalog.cost(
      'gemini-2.5-pro',
      makeUsage({ inputTokens: 150_000, cacheReadTokens: 50_001, outputTokens: 1000 }),
      at,
    );
    expect(above.tierAboveInputTokens).toBe(200_000);
    const amounts = Object.fromEntries(
      above.lines.map((line) => [line.bucket, line.amount.toDecimalString()]),
    );
    expect(amounts).toEqual({ inputTokens: '0.375', cacheReadTokens: '0.01550031', outputTokens: '0.015' });
  });
});
