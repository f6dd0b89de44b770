import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { CallCostMeter } from '../../../src/metering/call-cost-meter.js';

const catalog = PriceCatalog.fromObject({
  currency: 'USD',
  cards: [
    {
      id: 'm',
      prices: [{ effectiveFrom: '2025-01-01', inputPerMillionTokens: '2', outputPerMillionTokens: '8' }],
    },
  ],
});

async function meterWithBudget(reserve: string) {
  const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD') }] });
  const reservation = await budget.reserve(Money.of(reserve, 'USD'));
  const ledger = new Ledger();
  const meter = new CallCostMeter({
    ledger,
    catalog,
    budget,
    reservation,
    model: 'm',
    provider: 'openai',
    tags: { team: 'a' },
    apiKeyId: 'key_1',
    idempotencyKey: 'idem-1',
    pricedAt: new Date('2025-06-01'),
  });
  return { budget, ledger, meter };
}

describe('CallCostMeter', () => {
  it('writes one priced entry per recorded attempt and settles the budget with their exact sum', async () => {
    const { budget, ledger, meter } = await meterWithBudget('0.5');
    const first = await meter.record({
      attempt: 1,
      requestId: 'r1',
      usage: makeUsage({ inputTokens: 1000 }),
      status: 'aborted',
    });
    const second = await meter.record({
      attempt: 2,
      requestId: 'r2',
      usage: makeUsage({ inputTokens: 1000, outputTokens: 500 }),
      status: 'ok',
    });
    expect(first?.equals(Money.of('0.002', 'USD'))).toBe(true);
    expect(second?.equals(Money.of('0.006', 'USD'))).toBe(true);
    await meter.finish();
    await meter.finish();
    const entries = await ledger.entries();
    expect(entries.map((entry) => [entry.attempt, entry.requestId, entry.status])).toEqual([
      [1, 'r1', 'aborted'],
      [2, 'r2', 'ok'],
    ]);
    expect(entries[0]).toMatchObject({
      idempotencyKey: 'idem-1',
      apiKeyId: 'key_1',
      tags: { team: 'a' },
      model: 'm',
    });
    const [status] = await budget.status();
    expect(status?.spent.equals(Money.of('0.008', 'USD'))).toBe(true);
    expect(status?.reserved.isZero()).toBe(true);
  });

  it('releases the reservation when nothing was recorded', async () => {
    const { budget, meter } = await meterWithBudget('0.25');
    expect((await budget.status())[0]?.reserved.equals(Money.of('0.25', 'USD'))).toBe(true);
    await meter.finish();
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.isZero()).toBe(true);
  });

  it('records cost null without a catalog', async () => {
    const ledger = new Ledger();
    const meter = new CallCostMeter({
      ledger,
      catalog: undefined,
      budget: undefined,
      reservation: undefined,
      model: 'm',
      provider: 'ollama',
      tags: {},
      apiKeyId: undefined,
      idempotencyKey: undefined,
      pricedAt: new Date(),
    });
    expect(
      await meter.record({
        attempt: 1,
        requestId: undefined,
        usage: makeUsage({ outputTokens: 4 }),
        status: 'ok',
      }),
    ).toBeNull();
    const [entry] = await ledger.entries();
    expect(entry).toMatchObject({ cost: null, requestId: null, idempotencyKey: null });
    expect(entry?.apiKeyId).toBeUndefined();
  });
});
