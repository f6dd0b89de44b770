import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Budget, type BudgetWarning } from '../../../src/cost/budget.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { Money } from '../../../src/cost/money.js';
import { AiaasError, BudgetExceededError } from '../../../src/errors/index.js';
import { interleavingStore } from '../../support/interleaving-store.js';

const usd = (amount: string) => Money.of(amount, 'USD');

// Limits, scopes, windows and concurrency over every store: test/contract/support/budget-limits-contract.ts.

describe('Budget hard limits', () => {
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
