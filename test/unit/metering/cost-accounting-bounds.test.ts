import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import type { BudgetLimitOptions } from '../../../src/cost/budget-limit.js';
import type { CostBounds } from '../../../src/cost/cost-bounds.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { AiaasError, BudgetExceededError } from '../../../src/errors/index.js';
import { estimateEmbeddingCall, estimateInferenceCall } from '../../../src/metering/call-estimate.js';
import { CostAccounting } from '../../../src/metering/cost-accounting.js';

const pricing = PriceCatalog.fromServerPricing({
  currency: 'USD',
  effective_from: '2025-01-01',
  models: {
    'ref-embed': { per_mb_in: '0.10', per_mb_out: '0.02' },
    'ref-classify': { per_compute_second: '0.0004', per_request: '0.00001' },
  },
});
const usd = (amount: string) => Money.of(amount, 'USD');
const embedding = { model: 'ref-embed', input: ['alpha', 'beta'] };
const embedMetering = { model: 'ref-embed', estimate: () => estimateEmbeddingCall(embedding) };
const inferRequest = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
const inferMetering = {
  model: 'ref-classify',
  estimate: () => estimateInferenceCall('ref-classify', inferRequest),
};
const call = { idempotencyKey: undefined, tags: undefined };

function accounting(limits: BudgetLimitOptions[] | undefined, costBounds?: CostBounds) {
  const budget = limits === undefined ? undefined : new Budget({ limits });
  const costs = new CostAccounting({
    pricing,
    ledger: new Ledger(),
    budget,
    costBounds,
    tags: { app: 'unit' },
    apiKeyId: undefined,
    provider: 'openai',
    loadServerPricing: () => Promise.reject(new Error('not used')),
  });
  return { costs, budget };
}

describe('CostAccounting under a hard budget with per-MB and per-compute-second cards', () => {
  it('refuses a call whose card bills an unbounded quantity, naming it, before reserving anything', async () => {
    const { costs, budget } = accounting([{ limit: usd('1'), mode: 'hard' }]);
    const refusal = costs.begin(embedMetering, call);
    await expect(refusal).rejects.toBeInstanceOf(AiaasError);
    await expect(refusal).rejects.toMatchObject({ code: 'unbounded_cost' });
    await expect(refusal).rejects.toThrow(/maxOutputBytes/);
    await expect(costs.begin(inferMetering, call)).rejects.toThrow(/maxComputeMs/);
    const [status] = await budget!.status();
    expect(status?.reserved.isZero()).toBe(true);
  });

  it('applies only to calls a hard limit covers: a soft limit, another tag, or no budget go through', async () => {
    for (const limits of [
      [{ limit: usd('1'), mode: 'soft' as const }],
      [{ limit: usd('1'), mode: 'hard' as const, scope: 'tag:team=other' }],
      undefined,
    ]) {
      const { costs } = accounting(limits);
      const meter = await costs.begin(embedMetering, call);
      await meter.finish();
    }
    const { costs } = accounting([{ limit: usd('1'), mode: 'hard', scope: 'tag:app=unit' }]);
    await expect(costs.begin(embedMetering, call)).rejects.toMatchObject({ code: 'unbounded_cost' });
  });

  it('reserves the request bytes plus the declared response-byte ceiling', async () => {
    const bytesIn = estimateEmbeddingCall(embedding).bytesIn ?? 0;
    const maxOutputBytes = 1_000_000;
    const expected = usd('0.10').times(String(bytesIn)).dividedBy(1_000_000n).plus(usd('0.02'));
    const { costs, budget } = accounting([{ limit: usd('1'), mode: 'hard' }], {
      'ref-*': { maxOutputBytes },
    });
    const meter = await costs.begin(embedMetering, call);
    const [status] = await budget!.status();
    expect(status?.reserved.equals(expected)).toBe(true);
    await meter.finish();
  });

  it('reserves tensor elements, the request fee and the compute ceiling; a limit below it is exceeded', async () => {
    const bounds = { 'ref-classify': { maxComputeMs: 10_000 } };
    // 10 s at 0.0004/s + 0.00001 per request + request bytes (unpriced here) = 0.00401.
    const { costs, budget } = accounting([{ limit: usd('0.00401'), mode: 'hard' }], bounds);
    const meter = await costs.begin(inferMetering, call);
    const [status] = await budget!.status();
    expect(status?.reserved.equals(usd('0.00401'))).toBe(true);
    await meter.finish();
    const tight = accounting([{ limit: usd('0.004'), mode: 'hard' }], bounds);
    await expect(tight.costs.begin(inferMetering, call)).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('reserves a declared maxInputBytes when the call kind cannot count its request bytes', async () => {
    const uncounted = {
      model: 'ref-embed',
      estimate: () => ({ model: 'ref-embed', promptTokens: 1, maxOutputTokens: 0 }),
    };
    const refused = accounting([{ limit: usd('1'), mode: 'hard' }], { 'ref-embed': { maxOutputBytes: 0 } });
    await expect(refused.costs.begin(uncounted, call)).rejects.toThrow(/maxInputBytes/);
    const { costs, budget } = accounting([{ limit: usd('1'), mode: 'hard' }], {
      'ref-embed': { maxOutputBytes: 0, maxInputBytes: 2_000_000 },
    });
    const meter = await costs.begin(uncounted, call);
    const [status] = await budget!.status();
    expect(status?.reserved.equals(usd('0.2'))).toBe(true);
    await meter.finish();
  });
});
