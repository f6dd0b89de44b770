import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BudgetCharge, BudgetCheck, BudgetTally } from '../../../src/cost/budget-store.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { Money } from '../../../src/cost/money.js';

/** The definition, computed afresh: a walk over every charge, as the store once did. */
class WalkedCharges {
  private readonly charges = new Map<
    string,
    { charge: BudgetCharge; state: 'reserved' | 'settled' | 'released'; spent: bigint; at: number }
  >();

  reserve(charge: BudgetCharge): void {
    this.charges.set(charge.id, { charge, state: 'reserved', spent: 0n, at: 0 });
  }

  settle(id: string, units: bigint, time: Date): void {
    const stored = this.charges.get(id);
    if (stored?.state !== 'reserved') return;
    Object.assign(stored, { state: 'settled', spent: units, at: time.getTime() });
  }

  release(id: string): void {
    const stored = this.charges.get(id);
    if (stored?.state === 'reserved') stored.state = 'released';
  }

  tally(check: BudgetCheck, currency: string): BudgetTally {
    let spent = 0n;
    let reserved = 0n;
    const since = check.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    for (const { charge, state, spent: units, at } of this.charges.values()) {
      if (!charge.scopes.includes(check.scope) || charge.amount.currency !== currency) continue;
      if (state === 'reserved') reserved += charge.amount.units;
      else if (state === 'settled' && at >= since) spent += units;
    }
    return {
      limitId: check.limitId,
      spent: Money.fromUnits(spent, currency),
      reserved: Money.fromUnits(reserved, currency),
    };
  }
}

const scopes = ['global', 'tag:team=a', 'tag:team=b', 'key:k1'];
/** A lease that never runs out here: these tests are about the running totals. */
const lease = {
  owner: 'test',
  expiresAt: new Date(Date.UTC(9999, 0, 1)),
  idempotencyKey: null,
  model: null,
  provider: null,
};
const start = Date.UTC(2025, 2, 1);
const minute = 60_000;

function checksAt(now: number, currency = 'USD'): BudgetCheck[] {
  const limit = Money.of('1000000', currency);
  const sinces: (Date | null)[] = [
    null,
    new Date(Math.floor(now / 86_400_000) * 86_400_000),
    new Date(now - 60 * minute),
    new Date(now - 5 * minute),
    new Date(now),
    new Date(Number.NaN),
  ];
  return scopes.flatMap((scope) =>
    sinces.map((since, index) => ({ limitId: `${scope}:${index}`, scope, since, limit, hard: true })),
  );
}

function plain(tallies: readonly BudgetTally[]) {
  return tallies.map((tally) => ({
    limitId: tally.limitId,
    spent: `${tally.spent.currency} ${tally.spent.units}`,
    reserved: `${tally.reserved.currency} ${tally.reserved.units}`,
  }));
}

describe('MemoryBudgetStore running totals', () => {
  it('10,000 prior charges give the same tallies as a walk over every charge', async () => {
    const store = new MemoryBudgetStore();
    const walked = new WalkedCharges();
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    let now = start;
    const open: BudgetCharge[] = [];
    for (let index = 0; index < 10_000; index += 1) {
      now += random(3) * minute + random(1000);
      const currency = random(10) === 0 ? 'EUR' : 'USD';
      const charge: BudgetCharge = {
        id: `c${index}`,
        scopes: ['global', ...scopes.slice(1).filter(() => random(2) === 0)],
        amount: Money.fromUnits(BigInt(random(5000)), currency),
        time: new Date(now),
        ...lease,
      };
      const result = await store.reserve(charge, []);
      expect(result.accepted).toBe(true);
      walked.reserve(charge);
      open.push(charge);
      // Close some open charge: mostly settle (sometimes at an earlier time, as a clock set
      // back would), sometimes release, sometimes leave it open.
      if (open.length > 5 || random(3) === 0) {
        const closing = open.splice(random(open.length), 1)[0] as BudgetCharge;
        const choice = random(10);
        if (choice < 7) {
          const at = new Date(now - (random(5) === 0 ? random(30) * minute : 0));
          const actual = Money.fromUnits(BigInt(random(6000)), closing.amount.currency);
          expect(await store.settle(closing.id, actual, at)).toBe('settled');
          walked.settle(closing.id, actual.units, at);
        } else if (choice < 9) {
          expect(await store.release(closing.id)).toBe('released');
          walked.release(closing.id);
        } else {
          open.push(closing);
        }
      }
    }
    for (const currency of ['USD', 'EUR']) {
      const checks = checksAt(now, currency);
      const expected = checks.map((check) => walked.tally(check, currency));
      expect(plain(await store.tally(checks))).toEqual(plain(expected));
      const charge: BudgetCharge = {
        id: 'last',
        scopes: ['global'],
        amount: Money.fromUnits(1n, currency),
        time: new Date(now),
        ...lease,
      };
      const reserved = await store.reserve({ ...charge, id: `last-${currency}` }, checks);
      expect(plain(reserved.tallies)).toEqual(plain(expected));
    }
  });

  it('any sequence of reserve, settle (at any time) and release tallies like the walk', async () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        scopes: fc.subarray(scopes.slice(1)),
        units: fc.bigInt({ min: 0n, max: 1000n }),
        currency: fc.constantFrom('USD', 'EUR'),
      }),
      fc.record({
        kind: fc.constant('settle' as const),
        pick: fc.nat(),
        units: fc.bigInt({ min: 0n, max: 2000n }),
        offset: fc.integer({ min: -120, max: 120 }),
      }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 60 }),
        fc.integer({ min: -150, max: 150 }),
        async (operations, probe) => {
          const store = new MemoryBudgetStore();
          const walked = new WalkedCharges();
          const ids: string[] = [];
          const now = start + 200 * minute;
          for (const [index, step] of operations.entries()) {
            if (step.kind === 'reserve') {
              const charge: BudgetCharge = {
                id: `c${index}`,
                scopes: ['global', ...step.scopes],
                amount: Money.fromUnits(step.units, step.currency),
                time: new Date(now),
                ...lease,
              };
              await store.reserve(charge, []);
              walked.reserve(charge);
              ids.push(charge.id);
            } else if (ids.length > 0) {
              const id = ids[step.pick % ids.length] as string;
              if (step.kind === 'settle') {
                const at = new Date(now + step.offset * minute);
                // The store keeps the actual cost in the reservation's currency.
                const outcome = await store.settle(id, Money.fromUnits(step.units, 'USD'), at);
                if (outcome === 'settled') walked.settle(id, step.units, at);
              } else if ((await store.release(id)) === 'released') walked.release(id);
            }
          }
          for (const currency of ['USD', 'EUR']) {
            const checks = checksAt(now + probe * minute, currency);
            const expected = checks.map((check) => walked.tally(check, currency));
            const actual = checks.map((check) => ({ ...check, limit: Money.of('1', currency) }));
            expect(plain(await store.tally(actual))).toEqual(plain(expected));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a scope listed twice in a charge counts once', async () => {
    const store = new MemoryBudgetStore();
    const charge: BudgetCharge = {
      id: 'twice',
      scopes: ['global', 'global'],
      amount: Money.of('2', 'USD'),
      time: new Date(start),
      ...lease,
    };
    await store.reserve(charge, []);
    const check: BudgetCheck = {
      limitId: 'g',
      scope: 'global',
      since: null,
      limit: Money.of('9', 'USD'),
      hard: true,
    };
    expect((await store.tally([check]))[0]?.reserved.toString()).toBe(Money.of('2', 'USD').toString());
    await store.settle('twice', Money.of('3', 'USD'), new Date(start));
    const [tally] = await store.tally([check]);
    expect(tally?.spent.toString()).toBe(Money.of('3', 'USD').toString());
    expect(tally?.reserved.isZero()).toBe(true);
  });
});
