import { afterEach, describe, expect, it } from 'vitest';
import { Money } from '../../../src/cost/money.js';
import { recoverUsage } from '../../../src/cost/recover-usage.js';
import { ArrayBillingSource } from '../../support/array-billing-source.js';
import { crashedCalls as crashedCallsIn } from '../../support/crashed-calls.js';
import type { BudgetStoreKind } from './store-kinds.js';

const usd = (amount: string) => Money.of(amount, 'USD');

/** A crashed process's reservations, brought back from the provider's billing: the same in every store. */
export function describeRecovery(kind: BudgetStoreKind): void {
  const opened: { close(): Promise<void> }[] = [];
  const crashedCalls = async (keys: readonly string[]) => {
    const pair = await kind.open();
    opened.push(pair);
    return crashedCallsIn(keys, { store: pair.first, deadStore: pair.second });
  };
  describe(`${kind.name}: recovery`, () => {
    afterEach(async () => {
      for (const pair of opened.splice(0)) await pair.close();
    });
    it('settles lapsed reservations at what was billed and adds the records the ledger lacks', async () => {
      const { time, ledger, budget } = await crashedCalls(['a', 'b']);
      const provider = new ArrayBillingSource();
      provider.bill('a', usd('0.001'), { time: time.now() });
      provider.bill('b', usd('0.002'), { attempt: 1, time: time.now() });
      provider.bill('b', usd('0.0005'), { attempt: 2, time: time.now() });
      time.advance(1_000);
      const result = await recoverUsage({ ledger, budget, provider, now: time.now, since: new Date(0) });
      expect(provider.filters).toEqual([{ since: new Date(0) }]);
      expect(result.recovered.map((entry) => [entry.idempotencyKey, entry.attempt])).toEqual([
        ['a', 1],
        ['b', 1],
        ['b', 2],
      ]);
      expect(result.recovered[0]).toMatchObject({
        id: 'recovered:bill_0',
        requestId: 'req_0',
        provider: 'openai',
        apiKeyId: 'key_1',
        tags: { team: 'search', 'aiaas.entry': 'recovered' },
        usage: { inputTokens: { value: 10, provenance: 'recovered' } },
      });
      expect(
        result.settled.map((settled) => [
          settled.idempotencyKey,
          settled.billed.toDecimalString(),
          settled.was,
        ]),
      ).toEqual([
        ['a', '0.001', 'lapsed'],
        ['b', '0.0025', 'lapsed'],
      ]);
      expect(result.corrections).toEqual([]);
      expect(result.totals.recovered.USD?.toDecimalString()).toBe('0.0035');
      const [status] = await budget.status();
      expect(status?.spent.toDecimalString()).toBe('0.0035');
      expect(status?.reserved.isZero()).toBe(true);
      // Nothing is left lapsed for a sweep to estimate.
      expect(await budget.sweep()).toEqual([]);
      expect((await ledger.total()).USD?.toDecimalString()).toBe('0.0035');
    });

    it('reverses the estimate of an expired reservation instead of doubling it, and a rerun changes nothing', async () => {
      const { time, ledger, budget } = await crashedCalls(['a', 'b']);
      const provider = new ArrayBillingSource();
      provider.bill('a', usd('0.001'));
      provider.bill('b', usd('0.002'));
      time.advance(1_000);
      expect(await budget.sweep()).toHaveLength(2);
      expect((await ledger.total()).USD?.toDecimalString()).toBe('2');
      const result = await recoverUsage({ ledger, budget, provider, now: time.now });
      expect(result.settled.map((settled) => settled.was)).toEqual(['expired', 'expired']);
      // Reservations made in one instant come in no particular order.
      const reversed = result.corrections.map((entry) => [
        entry.idempotencyKey,
        entry.cost?.toDecimalString(),
      ]);
      expect(reversed.sort()).toEqual([
        ['a', '-1'],
        ['b', '-1'],
      ]);
      expect(result.totals.corrected.USD?.toDecimalString()).toBe('-2');
      expect((await ledger.total()).USD?.toDecimalString()).toBe('0.003');
      expect((await budget.status())[0]?.spent.toDecimalString()).toBe('0.003');
      const again = await recoverUsage({ ledger, budget, provider, now: time.now });
      expect([again.recovered, again.corrections, again.settled, again.skipped]).toEqual([[], [], [], []]);
      expect((await ledger.total()).USD?.toDecimalString()).toBe('0.003');
    });
  });
}
