import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceUsage as priceWithCatalog } from '../../../../src/cost/cost-calculator.js';
import { Money } from '../../../../src/cost/money.js';
import { rateCatalogFromServerPricing } from '../../../../src/cost/server-pricing-import.js';
import { makeUsage } from '../../../../src/cost/usage.js';
import { meterUsage } from '../../../../src/server/billing/metered-usage.js';
import { priceUsage } from '../../../../src/server/billing/price-usage.js';
import { RateCard } from '../../../../src/server/billing/rate-card.js';
import type { BilledUsage } from '../../../../src/wire/aiaas/billed-usage.js';

const none: BilledUsage = {
  inputTokens: 0,
  outputTokens: 0,
  computeMs: 0,
  bytesIn: 0,
  bytesOut: 0,
  tensorElements: 0,
  requests: 0,
  deployedSeconds: 0,
  trainedExamples: 0,
};

const allRates = RateCard.fromObject({
  currency: 'USD',
  effective_from: '2025-01-01',
  models: {
    everything: {
      per_token: { input_per_million: '0.15', output_per_million: '0.6' },
      per_compute_second: '0.00033',
      per_mb_in: '0.07',
      per_mb_out: '0.013',
      per_1k_tensor_elements: '0.000002',
      per_request: '0.0001',
    },
  },
});

describe('priceUsage', () => {
  it('prices per token', () => {
    const cost = priceUsage(RateCard.default(), 'ref-chat', {
      ...none,
      inputTokens: 1000,
      outputTokens: 2000,
      bytesIn: 500,
    });
    expect(cost.toJSON()).toEqual({ amount: '0.0035', currency: 'USD' });
  });

  it('prices per data volume, 1 MB = 1,000,000 bytes', () => {
    const cost = priceUsage(RateCard.default(), 'ref-embed', {
      ...none,
      bytesIn: 2_500_000,
      bytesOut: 1_000_000,
      inputTokens: 9,
    });
    expect(cost.toDecimalString()).toBe('0.27'); // 2.5 × 0.10 + 1 × 0.02
  });

  it('prices per compute-second plus a per-request fee', () => {
    const cost = priceUsage(RateCard.default(), 'ref-classify', { ...none, computeMs: 1500, requests: 1 });
    expect(cost.toDecimalString()).toBe('0.00061'); // 1.5 × 0.0004 + 0.00001
  });

  it('prices per 1k tensor elements by the default for repository models', () => {
    const cost = priceUsage(RateCard.default(), 'resnet', { ...none, tensorElements: 150_528 * 2 });
    expect(cost.toDecimalString()).toBe('0.0301056');
  });

  it('prices a deployed model per hour, by the second, exactly', () => {
    const card = RateCard.fromObject({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: { mine: { per_hour_deployed: '0.01', per_request: '0.5' } },
    });
    // 0.01 / 3600 = 0.0000027777… per second: rounded once, half-even, at 1e-12.
    expect(priceUsage(card, 'mine', { ...none, deployedSeconds: 1 }).toDecimalString()).toBe(
      '0.000002777778',
    );
    expect(priceUsage(card, 'mine', { ...none, deployedSeconds: 3600 }).toDecimalString()).toBe('0.01');
    expect(priceUsage(card, 'mine', { ...none, deployedSeconds: 90, requests: 2 }).toDecimalString()).toBe(
      '1.00025',
    );
  });

  it('prices fine-tuning per 1,000 trained examples, compute-second and MB, exactly', () => {
    const card = RateCard.fromObject({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: {
        training: { per_1k_trained_examples: '0.001', per_compute_second: '0.002', per_mb_in: '0.05' },
      },
    });
    // 3 × 0.001 + 2.5 × 0.002 + 0.2 × 0.05
    const usage = { ...none, trainedExamples: 3000, computeMs: 2500, bytesIn: 200_000 };
    expect(priceUsage(card, 'training', usage).toDecimalString()).toBe('0.018');
  });

  it('is exact where floats drift: 0.1 + 0.2 per request', () => {
    const card = RateCard.fromObject({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: { m: { per_request: '0.1' } },
    });
    const sum = priceUsage(card, 'm', { ...none, requests: 1 }).plus(
      priceUsage(card, 'm', { ...none, requests: 2 }),
    );
    expect(sum.equals(Money.of('0.3', 'USD'))).toBe(true);
  });

  it('rounds each charge once, half-even, at 1e-12', () => {
    const card = RateCard.fromObject({
      currency: 'USD',
      effective_from: '2025-01-01',
      models: { m: { per_token: { input_per_million: '0.0000005', output_per_million: '0.0000015' } } },
    });
    // 1 token × 0.0000005 / 1e6 = 0.5e-12 -> 0 (half to even); 1 × 1.5e-12 -> 2e-12
    expect(priceUsage(card, 'm', { ...none, inputTokens: 1, outputTokens: 1 }).units).toBe(2n);
  });

  it('gives exactly what the SDK computes from the published /v1/pricing', () => {
    const catalog = rateCatalogFromServerPricing(allRates.toPricingJson());
    const price = catalog.cards[0]?.prices[0];
    if (price === undefined) throw new Error('the catalog has no price');
    const count = fc.integer({ min: 0, max: 50_000_000 });
    fc.assert(
      fc.property(
        fc.record({
          inputTokens: count,
          outputTokens: count,
          computeMs: count,
          bytesIn: count,
          bytesOut: count,
          tensorElements: count,
          requests: fc.integer({ min: 0, max: 3 }),
        }),
        (usage) => {
          // Deployment time and trained examples: the SDK never meters them on a call.
          const server = priceUsage(allRates, 'everything', {
            ...usage,
            deployedSeconds: 0,
            trainedExamples: 0,
          });
          const client = priceWithCatalog(price, allRates.currency, makeUsage(usage)).total;
          expect(server.units).toBe(client.units);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => priceUsage(allRates, 'everything', { ...none, computeMs: 1.5 })).toThrow(/usage\.computeMs/);
    expect(() => priceUsage(allRates, 'everything', { ...none, bytesOut: -1 })).toThrow(/usage\.bytesOut/);
  });
});

describe('meterUsage', () => {
  it('turns a meter reading into whole billable units, rounding fractions up', () => {
    expect(
      meterUsage({
        inputTokens: 12,
        outputTokens: 30,
        computeMs: 30.2,
        bytesIn: 310,
        bytesOut: 922,
        tensorElements: 0,
      }),
    ).toEqual({
      inputTokens: 12,
      outputTokens: 30,
      computeMs: 31,
      bytesIn: 310,
      bytesOut: 922,
      tensorElements: 0,
      requests: 1,
      deployedSeconds: 0,
      trainedExamples: 0,
    });
    expect(
      meterUsage(
        {
          inputTokens: -1,
          outputTokens: Number.NaN,
          computeMs: 0,
          bytesIn: 0,
          bytesOut: 0,
          tensorElements: 4,
        },
        0,
      ),
    ).toEqual({ ...none, tensorElements: 4 });
  });
});
