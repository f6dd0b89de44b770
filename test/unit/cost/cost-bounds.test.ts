import { describe, expect, it } from 'vitest';
import { checkCostBounds, requireCostBounds, resolveCostBound } from '../../../src/cost/cost-bounds.js';
import { quoteRange } from '../../../src/cost/cost-estimator.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { AiaasError } from '../../../src/errors/index.js';

const catalog = PriceCatalog.fromObject({
  currency: 'USD',
  cards: [
    { id: 'embed', prices: [{ effectiveFrom: '2024-01-01', perMegabyteIn: '0.10', perMegabyteOut: '0.02' }] },
    {
      id: 'classify',
      prices: [{ effectiveFrom: '2024-01-01', perComputeSecond: '0.0004', perRequest: '0.00001' }],
    },
    { id: 'tensor', prices: [{ effectiveFrom: '2024-01-01', perThousandTensorElements: '0.003' }] },
  ],
});
const usd = (amount: string) => Money.of(amount, 'USD');
const priceOf = (model: string) => catalog.priceOf(model).price;

describe('quoteRange with bytes, tensor elements and declared bounds', () => {
  it('puts the known request bytes in both ends and the declared response bytes in max only', () => {
    const quote = quoteRange({
      model: 'embed',
      promptTokens: 3,
      maxOutputTokens: 0,
      catalog,
      bytesIn: 500_000,
      maxOutputBytes: 2_000_000,
    });
    expect(quote.min.equals(usd('0.05'))).toBe(true);
    expect(quote.max.equals(usd('0.09'))).toBe(true);
    expect(quote).toMatchObject({ bytesIn: 500_000, maxOutputBytes: 2_000_000, maxComputeMs: 0 });
  });

  it('prices input tensor elements in both ends and declared compute time in max only', () => {
    const tensor = quoteRange({
      model: 'tensor',
      promptTokens: 0,
      maxOutputTokens: 0,
      catalog,
      tensorElements: 2_000,
    });
    expect(tensor.min.equals(usd('0.006'))).toBe(true);
    expect(tensor.max.equals(tensor.min)).toBe(true);
    const classify = quoteRange({
      model: 'classify',
      promptTokens: 0,
      maxOutputTokens: 0,
      catalog,
      maxComputeMs: 2_500,
    });
    expect(classify.min.equals(usd('0.00001'))).toBe(true);
    expect(classify.max.equals(usd('0.00101'))).toBe(true);
  });

  it('without bounds quotes only what is known (the old range), so a hard budget must not rely on it', () => {
    const quote = quoteRange({
      model: 'embed',
      promptTokens: 0,
      maxOutputTokens: 0,
      catalog,
      bytesIn: 1_000,
    });
    expect(quote.max.equals(quote.min)).toBe(true);
  });

  it('refuses a bound that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() =>
        quoteRange({ model: 'embed', promptTokens: 0, maxOutputTokens: 0, catalog, maxOutputBytes: bad }),
      ).toThrow(/maxOutputBytes/);
    }
    expect(() => checkCostBounds({ 'ref-*': { maxComputeMs: -5 } })).toThrow(
      /costBounds\["ref-\*"\]\.maxComputeMs/,
    );
    expect(() => checkCostBounds({ 'ref-*': { maxComputeMs: 5, maxOutputBytes: 0 } })).not.toThrow();
  });
});

describe('resolveCostBound', () => {
  const bounds = {
    'ref-embed': { maxOutputBytes: 10 },
    'ref-*': { maxComputeMs: 1 },
    'ref-class*': { maxComputeMs: 2 },
  };
  it('prefers an exact name (any case), then the most specific glob', () => {
    expect(resolveCostBound(bounds, 'REF-EMBED')).toEqual({ maxOutputBytes: 10 });
    expect(resolveCostBound(bounds, 'ref-classify')).toEqual({ maxComputeMs: 2 });
    expect(resolveCostBound(bounds, 'ref-chat')).toEqual({ maxComputeMs: 1 });
    expect(resolveCostBound(bounds, 'other')).toBeUndefined();
    expect(resolveCostBound(undefined, 'ref-embed')).toBeUndefined();
  });
});

describe('requireCostBounds', () => {
  it('names each quantity the card bills with no ceiling and how to declare it', () => {
    const error = (() => {
      try {
        requireCostBounds('embed', priceOf('embed'), undefined, true);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AiaasError);
    expect(error).toMatchObject({ code: 'unbounded_cost', retryable: false });
    expect((error as Error).message).toMatch(/maxOutputBytes.*perMegabyteOut/);
    expect((error as Error).message).toContain("costBounds: { 'embed': { maxOutputBytes: ... } }");
    expect(() => requireCostBounds('classify', priceOf('classify'), { maxOutputBytes: 5 })).toThrow(
      /maxComputeMs.*perComputeSecond/,
    );
  });

  it('passes when each billed quantity has a bound, or the card bills none of them', () => {
    expect(() => requireCostBounds('embed', priceOf('embed'), { maxOutputBytes: 0 }, true)).not.toThrow();
    expect(() => requireCostBounds('classify', priceOf('classify'), { maxComputeMs: 100 })).not.toThrow();
    expect(() => requireCostBounds('tensor', priceOf('tensor'), undefined)).not.toThrow();
  });

  it('asks for maxInputBytes only when the call could not count its request bytes', () => {
    expect(() => requireCostBounds('embed', priceOf('embed'), { maxOutputBytes: 10 }, false)).toThrow(
      /maxInputBytes.*perMegabyteIn/,
    );
    expect(() =>
      requireCostBounds('embed', priceOf('embed'), { maxOutputBytes: 10, maxInputBytes: 10 }, false),
    ).not.toThrow();
    expect(() =>
      requireCostBounds('classify', priceOf('classify'), { maxComputeMs: 1 }, false),
    ).not.toThrow();
  });
});
