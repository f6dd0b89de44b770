import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AiaasError, UnpricedModelError } from '../../../../src/errors/index.js';
import { defaultRateCardJson } from '../../../../src/server/billing/default-rate-card.js';
import { RateCard } from '../../../../src/server/billing/rate-card.js';
import { serverPricingSchema } from '../../../../src/wire/aiaas/server-pricing-schemas.js';
import { useTemporaryDirectories } from '../../../support/temporary-directories.js';

const temporaryDirectory = useTemporaryDirectories('aiaas-rate-card');

const card = {
  currency: 'EUR',
  effective_from: '2025-03-01T00:00:00Z',
  models: { 'ref-chat': { per_token: { input_per_million: '1', output_per_million: '2' } } },
};

describe('RateCard', () => {
  it('prices the built-in models under the three business models and repository models by default', () => {
    const rates = RateCard.default();
    expect(rates.currency).toBe('USD');
    expect(rates.effectiveFrom).toBe('2025-01-01');
    expect(rates.pricingFor('ref-chat').per_token).toEqual({
      input_per_million: '0.50',
      output_per_million: '1.50',
    });
    expect(rates.pricingFor('ref-embed').per_mb_in).toBe('0.10');
    expect(rates.pricingFor('ref-classify').per_compute_second).toBe('0.0004');
    expect(rates.pricingFor('some-repository-model')).toEqual({ per_1k_tensor_elements: '0.0001' });
    expect(rates.prices('anything')).toBe(true);
  });

  it('publishes a body that is the /v1/pricing schema, naming each served model', () => {
    const body = RateCard.default().toPricingJson(['ref-chat', 'resnet-tiny']);
    expect(serverPricingSchema.safeParse(body).success).toBe(true);
    expect(Object.keys(body.models).sort()).toEqual([
      'aiaas-files',
      'aiaas-fine-tuning',
      'ref-chat',
      'ref-classify',
      'ref-embed',
      'resnet-tiny',
    ]);
    expect(body.models['resnet-tiny']).toEqual(defaultRateCardJson.default_model);
    // The published body is a copy: editing it changes nothing.
    body.models['ref-chat'] = { per_request: '999' };
    expect(RateCard.default().toPricingJson().models['ref-chat']?.per_request).toBeUndefined();
  });

  it('refuses to bill a model it does not price when there is no default', () => {
    const rates = RateCard.fromObject(card);
    expect(rates.prices('ref-embed')).toBe(false);
    expect(() => rates.pricingFor('ref-embed')).toThrow(UnpricedModelError);
    expect(Object.keys(rates.toPricingJson(['ref-embed']).models)).toEqual(['ref-chat']);
  });

  it.each([
    [{ ...card, currency: 'usd' }, /currency/],
    [{ ...card, effective_from: 'yesterday' }, /effective_from/],
    [{ ...card, models: { m: { per_request: 0.01 } } }, /models\.m\.per_request/],
    [{ ...card, models: { m: { per_request: '-1' } } }, /negative/],
    [{ ...card, models: { m: {} } }, /at least one rate/],
    [{ ...card, models: { m: { per_token: { input_per_million: '1' } } } }, /output_per_million/],
    [{ ...card, default_model: { per_mb_in: 5 } }, /default_model\.per_mb_in/],
    [{ ...card, default_model: {} }, /at least one rate/],
  ])('rejects an invalid card %#', (json, message) => {
    let caught: unknown;
    try {
      RateCard.fromObject(json, 'rates.json');
    } catch (error) {
      caught = error;
    }
    expect(AiaasError.isInstance(caught)).toBe(true);
    expect((caught as AiaasError).code).toBe('invalid_rate_card');
    expect((caught as Error).message).toMatch(/Invalid rate card \(rates\.json\)/);
    expect((caught as Error).message).toMatch(message);
  });

  it('loads a card from a file, naming the file in errors', () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'rates.json');
    writeFileSync(path, JSON.stringify({ ...card, default_model: { per_request: '0.001' } }));
    const rates = RateCard.fromFile(path);
    expect(rates.currency).toBe('EUR');
    expect(rates.pricingFor('other').per_request).toBe('0.001');
    writeFileSync(path, '{ not json');
    expect(() => RateCard.fromFile(path)).toThrow(new RegExp(`${path.replaceAll('.', '\\.')}.*not JSON`));
    expect(() => RateCard.fromFile(join(directory, 'missing.json'))).toThrow(
      /Cannot read the rate card file/,
    );
  });
});
