import { describe, expect, it } from 'vitest';
import { rateCatalogFromLitellm } from '../../../src/cost/litellm-price-import.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { UnpricedModelError, ValidationError } from '../../../src/errors/index.js';
import { serverPricingSchema } from '../../../src/wire/aiaas/server-pricing-schemas.js';

// Real-shaped excerpt of litellm's model_prices_and_context_window.json.
const litellm = {
  sample_spec: {
    max_tokens: 'LEGACY parameter. set to max_output_tokens if provider specifies it.',
    input_cost_per_token: 0.0,
    output_cost_per_token: 0.0,
    litellm_provider: 'one of https://docs.litellm.ai/docs/providers',
    mode: 'one of: chat, embedding, completion, image_generation',
  },
  'gpt-4o': {
    max_tokens: 16384,
    input_cost_per_token: 2.5e-6,
    output_cost_per_token: 1e-5,
    cache_read_input_token_cost: 1.25e-6,
    litellm_provider: 'openai',
    mode: 'chat',
  },
  'gpt-4o-2024-08-06': {
    input_cost_per_token: '0.0000025',
    output_cost_per_token: '0.00001',
    litellm_provider: 'openai',
    mode: 'chat',
  },
  'o3-mini': {
    input_cost_per_token: 1.1e-6,
    output_cost_per_token: 4.4e-6,
    output_cost_per_reasoning_token: 4.4e-6,
    litellm_provider: 'openai',
    mode: 'chat',
  },
  'claude-sonnet-4-20250514': {
    input_cost_per_token: 3e-6,
    output_cost_per_token: 1.5e-5,
    cache_creation_input_token_cost: 3.75e-6,
    cache_read_input_token_cost: 3e-7,
    input_cost_per_token_above_200k_tokens: 6e-6,
    output_cost_per_token_above_200k_tokens: 2.25e-5,
    cache_read_input_token_cost_above_200k_tokens: 6e-7,
    litellm_provider: 'anthropic',
    mode: 'chat',
  },
  'azure/gpt-4o': { input_cost_per_token: 2.75e-6, output_cost_per_token: 1.1e-5, litellm_provider: 'azure' },
  'openai/gpt-4o-2024-08-06': { input_cost_per_token: 1, litellm_provider: 'openai' },
  'text-moderation-latest': { max_tokens: 32768, litellm_provider: 'openai', mode: 'moderation' },
  'perplexity/sonar': {
    input_cost_per_token: 1e-6,
    input_cost_per_request: 0.005,
    litellm_provider: 'perplexity',
  },
  'tiny-price': {
    input_cost_per_token: 1.23456789e-10,
    output_cost_per_token: 4.5e-7,
    litellm_provider: 'custom',
  },
};

describe('PriceCatalog.fromLitellm', () => {
  const catalog = PriceCatalog.fromLitellm(litellm);

  it('converts per-token numbers to per-million decimal strings without float math', () => {
    const card = catalog.priceOf('gpt-4o').card;
    expect(card.prices[0]).toMatchObject({
      effectiveFrom: '1970-01-01',
      inputPerMillionTokens: '2.5',
      outputPerMillionTokens: '10',
      cacheReadPerMillionTokens: '1.25',
    });
    expect(catalog.priceOf('gpt-4o-2024-08-06').price.inputPerMillionTokens).toBe('2.5');
    expect(catalog.priceOf('claude-sonnet-4-20250514').price.cacheReadPerMillionTokens).toBe('0.3');
    expect(catalog.priceOf('tiny-price').price.inputPerMillionTokens).toBe('0.000123456789');
    // In floats, 4.5e-7 * 1e6 is 0.44999999999999996.
    expect(catalog.priceOf('tiny-price').price.outputPerMillionTokens).toBe('0.45');
    expect(catalog.priceOf('perplexity/sonar').price.perRequest).toBe('0.005');
  });

  it('adds <provider>/<name> aliases unless that name is taken', () => {
    expect(catalog.priceOf('openai/gpt-4o').card.id).toBe('gpt-4o');
    expect(catalog.priceOf('openai/gpt-4o').matchedBy).toBe('alias');
    expect(catalog.priceOf('openai/gpt-4o-2024-08-06').card.id).toBe('openai/gpt-4o-2024-08-06');
    expect(catalog.priceOf('azure/gpt-4o').price.inputPerMillionTokens).toBe('2.75');
    expect(catalog.priceOf('anthropic/claude-sonnet-4-20250514').card.provider).toBe('anthropic');
  });

  it('imports long-context tiers and reasoning prices', () => {
    const price = catalog.priceOf('claude-sonnet-4-20250514').price;
    expect(price.tiers).toEqual([
      {
        aboveInputTokens: 200_000,
        inputPerMillionTokens: '6',
        outputPerMillionTokens: '22.5',
        cacheReadPerMillionTokens: '0.6',
      },
    ]);
    const cost = catalog.cost(
      'claude-sonnet-4-20250514',
      makeUsage({ inputTokens: 250_000, outputTokens: 1000 }),
    );
    expect(cost.total.toDecimalString()).toBe('1.5225');
    expect(catalog.priceOf('o3-mini').price.reasoningPerMillionTokens).toBe('4.4');
  });

  it('leaves out entries without prices and sample_spec, so they stay unpriced', () => {
    expect(() => catalog.priceOf('text-moderation-latest')).toThrow(UnpricedModelError);
    expect(() => catalog.priceOf('sample_spec')).toThrow(UnpricedModelError);
  });

  it('takes an effective date and source', () => {
    const dated = PriceCatalog.fromLitellm(litellm, {
      effectiveFrom: '2025-03-01',
      source: 'litellm@abc123',
    });
    expect(() => dated.priceOf('gpt-4o', new Date('2025-02-28'))).toThrow(UnpricedModelError);
    expect(dated.priceOf('gpt-4o', new Date('2025-03-01')).card.source).toBe('litellm@abc123');
  });

  it('rejects a malformed price with the model and field in the path', () => {
    try {
      rateCatalogFromLitellm({ broken: { input_cost_per_token: 'cheap' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe('broken.input_cost_per_token');
    }
    expect(() => rateCatalogFromLitellm({ negative: { output_cost_per_token: -1e-6 } })).toThrow(
      ValidationError,
    );
    expect(() => rateCatalogFromLitellm([])).toThrow(ValidationError);
  });
});

describe('PriceCatalog.fromServerPricing', () => {
  const pricing = {
    currency: 'USD',
    effective_from: '2025-01-01',
    models: {
      'ref-chat': {
        per_token: { input_per_million: '0.50', output_per_million: '1.50' },
        per_request: '0.0001',
      },
      'ref-classify': { per_compute_second: '0.0004' },
      'ref-embed': { per_mb_in: '0.02', per_mb_out: '0.01', per_1k_tensor_elements: '0.000001' },
    },
  };

  it('exports a schema that accepts the published shape', () => {
    expect(serverPricingSchema.safeParse(pricing).success).toBe(true);
    expect(serverPricingSchema.safeParse({ ...pricing, models: { x: { per_request: 0.1 } } }).success).toBe(
      false,
    );
    expect(serverPricingSchema.safeParse({ ...pricing, models: { x: {} } }).success).toBe(false);
  });

  it('prices each business model from the server card', () => {
    const catalog = PriceCatalog.fromServerPricing(pricing);
    const at = new Date('2025-06-01');
    expect(
      catalog
        .cost('ref-chat', makeUsage({ inputTokens: 1000, outputTokens: 2000, requests: 1 }), at)
        .total.toDecimalString(),
    ).toBe('0.0036');
    expect(
      catalog.cost('ref-classify', makeUsage({ computeMs: 250, inputTokens: 9 }), at).total.toDecimalString(),
    ).toBe('0.0001');
    expect(
      catalog
        .cost('ref-embed', makeUsage({ bytesIn: 1500, bytesOut: 3000, tensorElements: 384 }), at)
        .total.toDecimalString(),
    ).toBe('0.000060384');
    expect(catalog.priceOf('ref-chat', at).card.source).toBe('aiaas server /v1/pricing');
    expect(() => catalog.priceOf('ref-chat', new Date('2024-12-31'))).toThrow(UnpricedModelError);
  });

  it('rejects an invalid body as a response ValidationError', () => {
    expect(() =>
      PriceCatalog.fromServerPricing({ currency: 'usd', effective_from: '2025-01-01', models: {} }),
    ).toThrow(ValidationError);
    expect(() => PriceCatalog.fromServerPricing({ ...pricing, default_model: { per_request: 0.1 } })).toThrow(
      ValidationError,
    );
  });

  it('prices a model the card does not name by its default_model, as the server bills it, unless told otherwise', () => {
    const at = new Date('2025-06-01');
    const withDefault = { ...pricing, default_model: { per_1k_tensor_elements: '0.0001' } };
    const price = PriceCatalog.fromServerPricing(withDefault).priceOf('ft:ref-classify:acme:x:ftjob-1', at);
    expect(price.matchedBy).toBe('fallback');
    expect(
      PriceCatalog.fromServerPricing(withDefault)
        .cost('ft:ref-classify:acme:x:ftjob-1', makeUsage({ tensorElements: 2500 }), at)
        .total.toDecimalString(),
    ).toBe('0.00025');
    // Named models keep their own prices; without a default_model an unnamed one stays unpriced.
    expect(PriceCatalog.fromServerPricing(withDefault).priceOf('ref-chat', at).matchedBy).not.toBe(
      'fallback',
    );
    expect(() =>
      PriceCatalog.fromServerPricing(pricing).priceOf('ft:ref-classify:acme:x:ftjob-1', at),
    ).toThrow(UnpricedModelError);
    expect(() =>
      PriceCatalog.fromServerPricing(withDefault, { fallback: 'block' }).priceOf(
        'ft:ref-classify:acme:x:ftjob-1',
        at,
      ),
    ).toThrow(UnpricedModelError);
  });
});
