import { describe, expect, it } from 'vitest';
import { estimateChatCall } from '../../../src/client/call-estimate.js';
import { CostAccounting, type CostAccountingOptions } from '../../../src/client/cost-accounting.js';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { UnpricedModelError } from '../../../src/errors/index.js';

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

describe('CostAccounting.beginNow', () => {
  it('gives the meter at once without pricing or with a catalog given, and records like begin', async () => {
    for (const costs of [accounting({}), accounting({ pricing })]) {
      const meter = costs.beginNow(metering, call);
      expect(meter).toBeDefined();
      const usage = makeUsage({ inputTokens: 1000, requests: 1 });
      const cost = meter?.recordNow({ attempt: 1, requestId: 'req-1', usage, status: 'ok' });
      expect(cost).not.toBeInstanceOf(Promise);
      const [entry] = await costs.ledger.entries();
      expect(entry).toMatchObject({ idempotencyKey: 'key-1', tags: { app: 'unit', team: 'search' } });
      expect(entry?.cost).toEqual(cost);
    }
  });

  it('leaves calls that must wait to begin: a budget to reserve, or server pricing to load', () => {
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD'), mode: 'soft' }] });
    expect(accounting({ pricing, budget }).beginNow(metering, call)).toBeUndefined();
    expect(accounting({ pricing: 'server' }).beginNow(metering, call)).toBeUndefined();
  });

  it('throws for an unpriced model, as begin rejects', async () => {
    const costs = accounting({ pricing });
    const other = { model: 'unknown-model', estimate: metering.estimate };
    expect(() => costs.beginNow(other, call)).toThrow(UnpricedModelError);
    await expect(costs.begin(other, call)).rejects.toBeInstanceOf(UnpricedModelError);
  });
});
