import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Budget, type BudgetWarning } from '../../../src/cost/budget.js';
import { budgetScopes } from '../../../src/cost/budget-limit.js';
import type { BudgetStore } from '../../../src/cost/budget-store.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { Money } from '../../../src/cost/money.js';
import { AiaasError, BudgetExceededError } from '../../../src/errors/index.js';
import { manualClock } from '../../support/manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');

/** A store that yields to the event loop a seeded-random number of times around every call. */
function interleavingStore(inner: BudgetStore, seed: number): BudgetStore {
  let state = seed;
  const pause = async () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const turns = state % 4;
    for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  const wrap =
    <Arguments extends unknown[], Result>(method: (...parameters: Arguments) => Promise<Result>) =>
    async (...parameters: Arguments) => {
      await pause();
      const result = await method(...parameters);
      await pause();
      return result;
    };
  return {
    reserve: wrap(inner.reserve.bind(inner)),
    settle: wrap(inner.settle.bind(inner)),
    release: wrap(inner.release.bind(inner)),
    tally: wrap(inner.tally.bind(inner)),
    renew: wrap(inner.renew.bind(inner)),
    claimExpired: wrap(inner.claimExpired.bind(inner)),
    claimCorrection: wrap(inner.claimCorrection.bind(inner)),
    charges: wrap(inner.charges.bind(inner)),
    close: () => inner.close(),
  };
}

describe('Budget hard limits', () => {
  it('fails closed before spending, naming the scope, the limit and the amount reached', async () => {
    const budget = new Budget({ limits: [{ limit: usd('1') }] });
    await budget.reserve(usd('0.9'));
    const error = await budget.reserve(usd('0.2')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ scope: 'global', limit: '1 USD', attempted: '1.1 USD', retryable: false });
    expect((error as Error).message).toMatch(/Nothing was sent/);
    const [status] = await budget.status();
    expect(status?.reserved.toDecimalString()).toBe('0.9');
    expect(status?.remaining.toDecimalString()).toBe('0.1');
    await budget.reserve(usd('0.1'));
    await expect(budget.reserve(usd('0.000000000001'))).rejects.toThrow(BudgetExceededError);
  });

  it('settle records the actual cost and frees the rest of the reservation', async () => {
    const budget = new Budget({ limits: [{ limit: usd('1') }] });
    const reservation = await budget.reserve(usd('0.5'));
    await budget.settle(reservation, usd('0.2'));
    const [status] = await budget.status();
    expect(status?.spent.toDecimalString()).toBe('0.2');
    expect(status?.reserved.isZero()).toBe(true);
    await budget.reserve(usd('0.8'));
    await expect(budget.reserve(usd('0.01'))).rejects.toThrow(BudgetExceededError);
  });

  it('records a settlement above the reservation and warns that the hard limit is overspent', async () => {
    const warnings: BudgetWarning[] = [];
    const budget = new Budget({
      limits: [{ limit: usd('1') }],
      onWarning: (warning) => warnings.push(warning),
    });
    const reservation = await budget.reserve(usd('0.5'));
    await budget.settle(reservation, usd('1.25'));
    const [status] = await budget.status();
    expect(status?.spent.toDecimalString()).toBe('1.25');
    expect(status?.remaining.toDecimalString()).toBe('-0.25');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ phase: 'settle', limit: { mode: 'hard' } });
    expect(warnings[0]?.attempted.toDecimalString()).toBe('1.25');
    await expect(budget.reserve(usd('0'))).rejects.toThrow(BudgetExceededError);
  });

  it('release frees a reservation once; settle after release or twice is refused', async () => {
    const budget = new Budget({ limits: [{ limit: usd('1') }] });
    const first = await budget.reserve(usd('1'));
    expect(await budget.release(first)).toBe(true);
    expect(await budget.release(first)).toBe(false);
    await expect(budget.settle(first, usd('0.1'))).rejects.toMatchObject({ code: 'reservation_closed' });
    const second = await budget.reserve(usd('1'));
    await budget.settle(second, usd('0.3'));
    expect(await budget.release(second)).toBe(false);
    await expect(budget.settle(second, usd('0.3'))).rejects.toMatchObject({ code: 'reservation_closed' });
    await expect(budget.settle({ ...second, id: 'nope' }, usd('0.3'))).rejects.toMatchObject({
      code: 'unknown_reservation',
    });
    await expect(budget.release({ ...second, id: 'nope' })).rejects.toMatchObject({
      code: 'unknown_reservation',
    });
  });

  it('applies tag and key limits only to calls in those scopes, and global to all', async () => {
    const budget = new Budget({
      limits: [
        { limit: usd('10') },
        { scope: 'tag:team=search', limit: usd('1') },
        { scope: 'key:key_b', limit: usd('2') },
      ],
    });
    await budget.reserve(usd('1'), budgetScopes({ tags: { team: 'search' } }));
    await expect(budget.reserve(usd('0.5'), ['tag:team=search'])).rejects.toMatchObject({
      scope: 'tag:team=search',
    });
    await budget.reserve(usd('0.5'), ['tag:team=ads']);
    await budget.reserve(usd('2'), budgetScopes({ tags: { team: 'ads' }, apiKeyId: 'key_b' }));
    await expect(budget.reserve(usd('0.01'), ['key:key_b'])).rejects.toMatchObject({ scope: 'key:key_b' });
    await budget.reserve(usd('6.5'));
    await expect(budget.reserve(usd('0.01'))).rejects.toMatchObject({ scope: 'global' });
  });

  it('refuses mixed currencies, negative amounts and bad scopes', async () => {
    const budget = new Budget({ limits: [{ limit: usd('1') }] });
    await expect(budget.reserve(Money.of('1', 'EUR'))).rejects.toThrow(/EUR/);
    await expect(budget.reserve(usd('-1'))).rejects.toThrow(AiaasError);
    await expect(budget.reserve(usd('1'), ['team=search'])).rejects.toThrow(/Invalid budget scope/);
    const reservation = await budget.reserve(usd('0.5'));
    await expect(budget.settle(reservation, Money.of('0.5', 'EUR'))).rejects.toThrow(/currencies do not mix/);
    expect(() => new Budget({ limits: [{ limit: usd('1'), window: { rollingMinutes: 0 } }] })).toThrow(
      /rollingMinutes/,
    );
    expect(() => new Budget({ limits: [{ limit: usd('-1') }] })).toThrow(/non-negative/);
    expect(() => new Budget({ limits: [{ limit: usd('1'), scope: 'tag:nokey' }] })).toThrow(/scope/);
  });
});

describe('Budget windows', () => {
  it('a day window resets at UTC midnight, a total window never does', async () => {
    const time = manualClock('2025-03-01T23:59:00Z');
    const budget = new Budget({
      now: time.now,
      limits: [
        { limit: usd('1'), window: 'day' },
        { scope: 'tag:team=x', limit: usd('1.5') },
      ],
    });
    await budget.settle(await budget.reserve(usd('1'), ['tag:team=x']), usd('1'));
    await expect(budget.reserve(usd('0.1'))).rejects.toThrow(BudgetExceededError);
    time.advance(60_000);
    await budget.reserve(usd('0.1'));
    await budget.settle(await budget.reserve(usd('0.4'), ['tag:team=x']), usd('0.4'));
    await expect(budget.reserve(usd('0.2'), ['tag:team=x'])).rejects.toMatchObject({ scope: 'tag:team=x' });
  });

  it('a rolling window forgets spend older than N minutes', async () => {
    const time = manualClock('2025-03-01T12:00:00Z');
    const budget = new Budget({
      now: time.now,
      limits: [{ limit: usd('1'), window: { rollingMinutes: 60 } }],
      // A day-long lease: this test is about windows, not leases.
      leaseMs: 86_400_000,
    });
    await budget.settle(await budget.reserve(usd('1')), usd('1'));
    time.advance(59 * 60_000);
    await expect(budget.reserve(usd('0.5'))).rejects.toThrow(BudgetExceededError);
    time.advance(60_001);
    await budget.reserve(usd('0.5'));
    // An open reservation whose lease holds counts whatever its age.
    time.advance(3 * 60 * 60_000);
    await expect(budget.reserve(usd('0.6'))).rejects.toThrow(BudgetExceededError);
    await budget.close();
  });
});

describe('Budget soft limits', () => {
  it('lets the call through and emits a warning event', async () => {
    const budget = new Budget({ limits: [{ scope: 'key:k1', limit: usd('1'), mode: 'soft' }] });
    const seen: BudgetWarning[] = [];
    const stop = budget.on('warning', (warning) => seen.push(warning));
    await budget.reserve(usd('0.8'), ['key:k1']);
    expect(seen).toHaveLength(0);
    const reservation = await budget.reserve(usd('0.5'), ['key:k1']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ phase: 'reserve', limit: { scope: 'key:k1', mode: 'soft' } });
    expect(seen[0]?.attempted.toDecimalString()).toBe('1.3');
    expect(seen[0]?.message).toMatch(/Soft budget for key:k1/);
    await budget.settle(reservation, usd('0.5'));
    expect(seen.map((warning) => warning.phase)).toEqual(['reserve', 'settle']);
    stop();
    await budget.reserve(usd('5'), ['key:k1']);
    expect(seen).toHaveLength(2);
  });

  it('a throwing listener does not undo the reservation', async () => {
    const budget = new Budget({ limits: [{ limit: usd('1'), mode: 'soft' }] });
    budget.on('warning', () => {
      throw new Error('listener bug');
    });
    const emitted: string[] = [];
    const original = process.emitWarning;
    process.emitWarning = ((message: string) => emitted.push(message)) as typeof process.emitWarning;
    try {
      await budget.reserve(usd('2'));
    } finally {
      process.emitWarning = original;
    }
    expect(emitted).toEqual([expect.stringMatching(/listener bug/)]);
    expect((await budget.status())[0]?.reserved.toDecimalString()).toBe('2');
  });
});

describe('Budget concurrency', () => {
  it('100 concurrent reservations never overspend a hard limit', async () => {
    for (const seed of [1, 7, 42]) {
      const budget = new Budget({
        limits: [{ limit: usd('1') }],
        store: interleavingStore(new MemoryBudgetStore(), seed),
      });
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () => budget.reserve(usd('0.03'))),
      );
      const accepted = results.filter((result) => result.status === 'fulfilled');
      expect(accepted).toHaveLength(33);
      expect(
        results
          .filter((result) => result.status === 'rejected')
          .every((result) => result.reason instanceof BudgetExceededError),
      ).toBe(true);
      const [status] = await budget.status();
      expect(status?.reserved.toDecimalString()).toBe('0.99');
    }
  });

  it('100 concurrent reserve-then-settle calls spend at most the limit', async () => {
    const budget = new Budget({
      limits: [{ limit: usd('1') }],
      store: interleavingStore(new MemoryBudgetStore(), 3),
    });
    const call = async (index: number) => {
      const reservation = await budget.reserve(usd('0.05'));
      await budget.settle(reservation, usd(index % 2 === 0 ? '0.05' : '0.01'));
    };
    await Promise.allSettled(Array.from({ length: 100 }, (_, index) => call(index)));
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status ? status.spent.compare(usd('1')) <= 0 : false).toBe(true);
    expect(status?.spent.isPositive()).toBe(true);
  });
});

describe('Budget properties', () => {
  it('concurrent reservations in any interleaving: accepted ones fit, rejected ones could not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        async (cents, seed) => {
          const budget = new Budget({
            limits: [{ limit: usd('1') }],
            store: interleavingStore(new MemoryBudgetStore(), seed),
          });
          const toMoney = (amount: number) => Money.fromUnits(BigInt(amount) * 10n ** 10n, 'USD');
          const results = await Promise.allSettled(cents.map((amount) => budget.reserve(toMoney(amount))));
          const accepted = cents.filter((_, index) => results[index]?.status === 'fulfilled');
          const used = accepted.reduce((sum, amount) => sum + amount, 0);
          expect(used).toBeLessThanOrEqual(100);
          // Reservations only grow here, so a rejected amount must not fit the final total either.
          cents.forEach((amount, index) => {
            if (results[index]?.status === 'rejected') expect(used + amount).toBeGreaterThan(100);
          });
          expect((await budget.status())[0]?.reserved.equals(toMoney(used))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  type Operation =
    | { kind: 'reserve'; cents: number; scope: 'global' | 'tag:team=a' }
    | { kind: 'settle'; pick: number; fraction: number }
    | { kind: 'release'; pick: number };
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({
      kind: fc.constant('reserve' as const),
      cents: fc.integer({ min: 0, max: 60 }),
      scope: fc.constantFrom('global' as const, 'tag:team=a' as const),
    }),
    fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      fraction: fc.integer({ min: 0, max: 100 }),
    }),
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  );

  it('spent + reserved never exceeds a hard limit when settlements stay within their reservations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 40 }), async (operations) => {
        const budget = new Budget({
          limits: [{ limit: usd('1') }, { scope: 'tag:team=a', limit: usd('0.4') }],
        });
        const open: Awaited<ReturnType<Budget['reserve']>>[] = [];
        // A reference model: what the budget should accept, computed independently in cents.
        let globalUsed = 0;
        let teamUsed = 0;
        const amounts = new Map<string, { cents: number; team: boolean }>();
        for (const step of operations) {
          if (step.kind === 'reserve') {
            const team = step.scope === 'tag:team=a';
            const expected = globalUsed + step.cents <= 100 && (!team || teamUsed + step.cents <= 40);
            const outcome = await budget
              .reserve(Money.fromUnits(BigInt(step.cents) * 10n ** 10n, 'USD'), [step.scope])
              .then(
                (reservation) => reservation,
                (error: unknown) => {
                  expect(error).toBeInstanceOf(BudgetExceededError);
                  return undefined;
                },
              );
            expect(outcome !== undefined).toBe(expected);
            if (outcome) {
              open.push(outcome);
              amounts.set(outcome.id, { cents: step.cents, team });
              globalUsed += step.cents;
              if (team) teamUsed += step.cents;
            }
          } else if (open.length > 0) {
            const [reservation] = open.splice(step.pick % open.length, 1);
            if (!reservation) continue;
            const { cents, team } = amounts.get(reservation.id) as { cents: number; team: boolean };
            // Settle a part of the reservation; the rest returns to the budget.
            const spent = step.kind === 'settle' ? Math.floor((cents * step.fraction) / 100) : 0;
            if (step.kind === 'settle')
              await budget.settle(reservation, Money.fromUnits(BigInt(spent) * 10n ** 10n, 'USD'));
            else await budget.release(reservation);
            globalUsed -= cents - spent;
            if (team) teamUsed -= cents - spent;
          }
          for (const status of await budget.status()) {
            expect(status.spent.plus(status.reserved).compare(status.limit.limit) <= 0).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
