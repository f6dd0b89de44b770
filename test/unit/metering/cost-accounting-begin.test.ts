import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { UnpricedModelError } from '../../../src/errors/index.js';
import { estimateChatCall } from '../../../src/metering/call-estimate.js';
import { CostAccounting, type CostAccountingOptions } from '../../../src/metering/cost-accounting.js';

const pricing = PriceCatalog.fromServerPricing({
  currency: 'USD',
  effective_from: '2025-01-01',
  models: { 'ref-chat': { per_token: { input_per_million: '1.00', output_per_million: '2.00' } } },
});
const request = { model: 'ref-chat', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 8 };
const metering = { model: 'ref-chat', estimate: () => estimateChatCall(request) };
const call = { idempotencyKey: 'key-1', tags: { team: 'search' } };

function accounting(options: Partial<CostAccountingOptions>) {
  return new CostAccounting({
    pricing: undefined,
    ledger: new Ledger(),
    budget: undefined,
    tags: { app: 'unit' },
    apiKeyId: undefined,
    provider: 'openai',
    loadServerPricing: () => Promise.reject(new Error('not used')),
    ...options,
  });
}

describe('CostAccounting.begin', () => {
  it('gives a meter that records with the client and call tags merged, priced from the catalog or not at all', async () => {
    for (const costs of [accounting({}), accounting({ pricing })]) {
      const meter = await costs.begin(metering, call);
      const usage = makeUsage({ inputTokens: 1000, requests: 1 });
      const cost = await meter.record({ attempt: 1, requestId: 'req-1', usage, status: 'ok' });
      const [entry] = await costs.ledger.entries();
      expect(entry).toMatchObject({ idempotencyKey: 'key-1', tags: { app: 'unit', team: 'search' } });
      expect(entry?.cost).toEqual(cost);
      expect(cost === null).toBe((await costs.catalog()) === undefined);
    }
  });

  it('rejects an unpriced model before anything is reserved', async () => {
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'soft' }] });
    const costs = accounting({ pricing, budget });
    const other = { model: 'unknown-model', estimate: metering.estimate };
    await expect(costs.begin(other, call)).rejects.toBeInstanceOf(UnpricedModelError);
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
  });
});
