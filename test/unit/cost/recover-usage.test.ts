import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { MemoryLedgerStore } from '../../../src/cost/memory-ledger-store.js';
import { Money } from '../../../src/cost/money.js';
import { recoverUsage } from '../../../src/cost/recover-usage.js';
import { InvalidOptionError } from '../../../src/errors/index.js';
import { ArrayBillingSource } from '../../support/array-billing-source.js';
import { crashedCalls } from '../../support/crashed-calls.js';
import { manualClock } from '../../support/manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');
const units = (count: number) => Money.fromUnits(BigInt(count), 'USD');

describe('recoverUsage', () => {
  it('leaves a call whose lease is still held, and a young record nothing accounts for', async () => {
    const { time, ledger, budget } = await crashedCalls(['held'], { leaseMs: 60_000 });
    const provider = new ArrayBillingSource();
    provider.bill('held', usd('0.001'), { time: time.now() });
    provider.bill(null, usd('0.002'), { time: time.now() });
    provider.bill('unreserved', usd('0.004'), { time: new Date(time.now().getTime() - 120_000) });
    time.advance(1_000);
    const result = await recoverUsage({ ledger, budget, provider, now: time.now });
    expect(result.skipped.map((skipped) => [skipped.idempotencyKey, skipped.reason])).toEqual([
      ['held', 'in-flight'],
      [null, 'too-recent'],
    ]);
    expect(result.recovered.map((entry) => entry.idempotencyKey)).toEqual(['unreserved']);
    expect(result.recovered[0]).toMatchObject({
      provider: 'test-provider',
      tags: { 'aiaas.entry': 'recovered' },
    });
    // With no grace, the record without a reservation is recovered too; the held call still is not.
    const later = await recoverUsage({ ledger, budget, provider, now: time.now, inFlightGraceMs: 0 });
    expect(later.recovered.map((entry) => entry.requestId)).toEqual(['req_1']);
    expect(later.skipped.map((skipped) => skipped.reason)).toEqual(['in-flight']);
  });

  it('corrects an estimate whose reservation its owner settled late, once, whoever gets there first', async () => {
    const { time, store, ledger } = await crashedCalls([]);
    const owner = new Budget({ limits: [], store, now: time.now, leaseMs: 1_000 });
    const stalled = await owner.reserve(usd('0.5'), [], { idempotencyKey: 'slow' });
    const recorder = new Budget({ limits: [], store, now: time.now, leaseMs: 1_000, ledger });
    time.advance(1_000);
    await recorder.sweep();
    // The owner comes back, records its call and settles: it has no ledger to correct in.
    await ledger.append({
      model: 'ref-chat',
      provider: 'openai',
      requestId: 'req_0',
      idempotencyKey: 'slow',
      cost: usd('0.01'),
      status: 'ok',
    });
    await owner.settle(stalled, usd('0.01'));
    const provider = new ArrayBillingSource();
    provider.bill('slow', usd('0.01'));
    const results = await Promise.all([
      recoverUsage({ ledger, budget: recorder, provider, now: time.now }),
      recoverUsage({ ledger, budget: recorder, provider, now: time.now }),
    ]);
    expect(results.flatMap((result) => result.corrections)).toHaveLength(1);
    expect(results.flatMap((result) => [...result.recovered, ...result.settled])).toEqual([]);
    expect((await ledger.total()).USD?.toDecimalString()).toBe('0.01');
  });

  it('recovers records billed in another currency but leaves the reservation to its lease', async () => {
    const { time, ledger, budget } = await crashedCalls(['eur']);
    const provider = new ArrayBillingSource();
    provider.bill('eur', Money.of('0.001', 'EUR'));
    time.advance(1_000);
    const result = await recoverUsage({ ledger, budget, provider, now: time.now });
    expect(result.recovered).toHaveLength(1);
    expect(result.skipped.map((skipped) => skipped.reason)).toEqual(['currency-mismatch']);
    expect(result.settled).toEqual([]);
  });

  it('refuses a provider without records() and a negative grace', async () => {
    const ledger = new Ledger();
    await expect(recoverUsage({ ledger, provider: {} as never })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(
      recoverUsage({ ledger, provider: new ArrayBillingSource(), inFlightGraceMs: -1 }),
    ).rejects.toThrow(/inFlightGraceMs/);
  });

  it('whatever was estimated, settled or already recorded, the ledger ends at exactly the bill', async () => {
    type Call = { bills: number[]; fate: 'estimated' | 'lapsed' | 'recorded' | 'half-recorded' };
    const call: fc.Arbitrary<Call> = fc.record({
      bills: fc.array(fc.integer({ min: 1, max: 10 ** 9 }), { minLength: 1, maxLength: 3 }),
      fate: fc.constantFrom(
        'estimated' as const,
        'lapsed' as const,
        'recorded' as const,
        'half-recorded' as const,
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 8 }), fc.boolean(), async (calls, twice) => {
        const keys = calls.map((_, index) => `call-${index}`);
        const time = manualClock();
        const store = new MemoryBudgetStore();
        // Calls that will be merely lapsed at recovery hold a longer lease than those estimated before it.
        const short = new Budget({ limits: [], store, now: time.now, leaseMs: 1_000 });
        const long = new Budget({ limits: [], store, now: time.now, leaseMs: 2_000 });
        for (const [index, planned] of calls.entries()) {
          await (planned.fate === 'lapsed' ? long : short).reserve(usd('1'), [], {
            idempotencyKey: keys[index],
          });
        }
        await short.close();
        await long.close();
        const ledger = new Ledger({ store: new MemoryLedgerStore({ maxEntries: Number.POSITIVE_INFINITY }) });
        const budget = new Budget({ limits: [{ limit: usd('100') }], store, now: time.now, ledger });
        const provider = new ArrayBillingSource();
        let billed = 0n;
        for (const [index, planned] of calls.entries()) {
          for (const [attempt, amount] of planned.bills.entries()) {
            const record = provider.bill(keys[index] as string, units(amount), { attempt: attempt + 1 });
            billed += BigInt(amount);
            // The process recorded some attempts before it died.
            if (planned.fate === 'recorded' || (planned.fate === 'half-recorded' && attempt === 0)) {
              await ledger.append({
                model: 'ref-chat',
                provider: 'openai',
                requestId: record.requestId,
                idempotencyKey: record.idempotencyKey,
                attempt: record.attempt,
                cost: record.cost,
                status: 'ok',
              });
            }
          }
        }
        time.advance(1_000);
        const estimates = await budget.sweep();
        expect(estimates).toHaveLength(calls.filter((planned) => planned.fate !== 'lapsed').length);
        time.advance(1_000);
        await recoverUsage({ ledger, budget, provider, now: time.now });
        if (twice) await recoverUsage({ ledger, budget, provider, now: time.now });
        expect((await ledger.total()).USD?.units ?? 0n).toBe(billed);
        const [status] = await budget.status();
        expect(status?.spent.units).toBe(billed);
        expect(status?.reserved.isZero()).toBe(true);
        expect(await ledger.entries({ tags: { 'aiaas.entry': 'recovered' } })).toHaveLength(
          calls.reduce(
            (count, planned) =>
              count +
              (planned.fate === 'recorded'
                ? 0
                : planned.bills.length - (planned.fate === 'half-recorded' ? 1 : 0)),
            0,
          ),
        );
      }),
      { numRuns: 80 },
    );
  });
});
