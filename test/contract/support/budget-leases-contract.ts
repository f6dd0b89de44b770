import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  BudgetCharge,
  BudgetCheck,
  BudgetStore,
  BudgetTally,
  StoredBudgetCharge,
} from '../../../src/cost/budget-store.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { Money } from '../../../src/cost/money.js';
import type { BudgetStoreKind } from './store-kinds.js';

// Leases lapse, count as spent, are renewed only by their owner, and each expiry is claimed
// once — the same in every store, seen through two handles on it.

const usd = (amount: string) => Money.of(amount, 'USD');
const start = Date.UTC(2025, 5, 1, 12);
const at = (offsetMs: number) => new Date(start + offsetMs);

function charge(id: string, amount: string, options: Partial<BudgetCharge> = {}): BudgetCharge {
  return {
    id,
    scopes: ['global', 'tag:team=a'],
    amount: usd(amount),
    time: at(0),
    owner: 'owner-a',
    expiresAt: at(1_000),
    idempotencyKey: `key-${id}`,
    model: 'ref-chat',
    provider: 'openai',
    ...options,
  };
}

function check(since: Date | null, limit = '1', scope = 'global'): BudgetCheck {
  return { limitId: `${scope}:${since?.getTime() ?? 'total'}`, scope, since, limit: usd(limit), hard: true };
}

function amounts(tally: BudgetTally | undefined): { spent: string; reserved: string } {
  return { spent: tally?.spent.toDecimalString() ?? '?', reserved: tally?.reserved.toDecimalString() ?? '?' };
}

function byId(charges: readonly StoredBudgetCharge[]): Record<string, StoredBudgetCharge> {
  return Object.fromEntries(charges.map((stored) => [stored.id, stored]));
}

export function describeBudgetLeases(kind: BudgetStoreKind): void {
  const open = kind.open;
  describe(`${kind.name}: leases`, () => {
    it('a lapsed lease stops counting as reserved and counts as spent at its expiry, in every handle', async () => {
      const { first, second, close } = await open();
      await first.reserve(charge('c1', '0.75'), [], at(0));
      expect(amounts((await second.tally([check(null)], at(999)))[0])).toEqual({
        spent: '0',
        reserved: '0.75',
      });
      // At its expiry the lease has run out: the full amount is spend, dated at the expiry.
      for (const store of [first, second]) {
        const [total, sinceExpiry, afterExpiry] = await store.tally(
          [check(null), check(at(1_000)), check(at(1_001))],
          at(1_000),
        );
        expect(amounts(total)).toEqual({ spent: '0.75', reserved: '0' });
        expect(amounts(sinceExpiry)).toEqual({ spent: '0.75', reserved: '0' });
        expect(amounts(afterExpiry)).toEqual({ spent: '0', reserved: '0' });
      }
      await close();
    });

    it('reserve decides lapses atomically and says how many it expired', async () => {
      const { first, second, close } = await open();
      await first.reserve(charge('c1', '0.5'), [check(null)], at(0));
      await first.reserve(charge('c2', '0.25', { expiresAt: at(5_000) }), [check(null)], at(0));
      // Held: 0.75 of 1; a window that starts after c1's expiry will not count it once it lapses.
      const window = check(at(1_500));
      const refused = await second.reserve(charge('c3', '0.5', { owner: 'owner-b' }), [window], at(999));
      expect(refused).toMatchObject({ accepted: false, expiriesWaiting: false });
      expect(amounts(refused.tallies[0])).toEqual({ spent: '0', reserved: '0.75' });
      const later = { owner: 'owner-b', expiresAt: at(60_000) };
      const accepted = await second.reserve(charge('c3', '0.5', later), [window], at(2_000));
      expect(accepted).toMatchObject({ accepted: true, expiriesWaiting: true });
      expect(amounts(accepted.tallies[0])).toEqual({ spent: '0', reserved: '0.25' });
      expect(byId(await first.charges({ ids: ['c1', 'c2'] })).c1).toMatchObject({ state: 'expired' });
      // Waiting until someone claims it for recording.
      expect((await first.claimExpired('claimant', at(3_000))).map((stored) => stored.id)).toEqual(['c1']);
      expect((await first.reserve(charge('c4', '0', later), [], at(3_000))).expiriesWaiting).toBe(false);
      await close();
    });

    it('renews only the open, unlapsed leases its owner holds, and never shortens one', async () => {
      const { first, second, close } = await open();
      await first.reserve(charge('mine', '0.1'), [], at(0));
      await first.reserve(charge('settled', '0.1'), [], at(0));
      await first.reserve(charge('theirs', '0.1', { owner: 'owner-b' }), [], at(0));
      await first.reserve(charge('lapsing', '0.1', { expiresAt: at(400) }), [], at(0));
      await first.settle('settled', usd('0.05'), at(100));
      const ids = ['mine', 'settled', 'theirs', 'lapsing', 'missing'];
      expect((await second.renew('owner-a', ids, at(5_000), at(500))).sort()).toEqual(['mine']);
      expect(await second.renew('owner-a', ['mine'], at(2_000), at(600))).toEqual(['mine']);
      const stored = byId(await first.charges({ ids }));
      expect(stored.mine?.expiresAt.getTime()).toBe(at(5_000).getTime());
      expect(stored.theirs?.expiresAt.getTime()).toBe(at(1_000).getTime());
      // A renewed lease holds past its first end; the lapsed one could not be revived.
      const [tally] = await first.tally([check(null)], at(4_000));
      expect(amounts(tally)).toEqual({ spent: '0.25', reserved: '0.1' });
      await close();
    });

    it('hands each expiry to exactly one claimant, with what the charge was for', async () => {
      const { first, second, close } = await open();
      for (let index = 0; index < 6; index += 1) {
        await first.reserve(
          charge(`c${index}`, `0.0${index + 1}`, { expiresAt: at(1_000 + index) }),
          [],
          at(0),
        );
      }
      await first.reserve(charge('alive', '0.5', { expiresAt: at(60_000) }), [], at(0));
      const [one, two] = await Promise.all([
        first.claimExpired('claimant-1', at(10_000)),
        second.claimExpired('claimant-2', at(10_000)),
      ]);
      const claimed = [...(one ?? []), ...(two ?? [])];
      expect(claimed.map((stored) => stored.id).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
      expect(await first.claimExpired('claimant-3', at(20_000))).toEqual([]);
      const c2 = claimed.find((stored) => stored.id === 'c2');
      expect(c2).toMatchObject({
        state: 'expired',
        idempotencyKey: 'key-c2',
        model: 'ref-chat',
        provider: 'openai',
        owner: 'owner-a',
        scopes: ['global', 'tag:team=a'],
        estimateCorrected: false,
      });
      expect(c2?.amount.toDecimalString()).toBe('0.03');
      expect(c2?.spent?.toDecimalString()).toBe('0.03');
      expect(c2?.expiresAt.getTime()).toBe(at(1_002).getTime());
      expect(['claimant-1', 'claimant-2']).toContain(c2?.expiryRecordedBy);
      await close();
    });

    it('a late settle or release replaces the expired spend and says whether an estimate was claimed', async () => {
      const { first, second, close } = await open();
      for (const id of ['unclaimed', 'claimed', 'released'])
        await first.reserve(charge(id, '0.4'), [], at(0));
      expect(await first.tally([check(null, '9')], at(2_000)).then((tallies) => amounts(tallies[0]))).toEqual(
        {
          spent: '1.2',
          reserved: '0',
        },
      );
      expect(await second.settle('unclaimed', usd('0.1'), at(3_000))).toBe('settled');
      await first.reserve(charge('later', '0.4', { expiresAt: at(5_000) }), [], at(3_000));
      const claimed = await second.claimExpired('claimant', at(3_000));
      expect(claimed.map((stored) => stored.id).sort()).toEqual(['claimed', 'released']);
      expect(await first.settle('claimed', usd('0.2'), at(4_000))).toBe('settled-after-expiry');
      expect(await first.release('released')).toBe('released-after-expiry');
      expect(await first.settle('claimed', usd('0.2'), at(4_000))).toBe('closed');
      expect(await first.release('claimed')).toBe('closed');
      expect(await first.settle('nope', usd('0.2'), at(4_000))).toBe('unknown');
      // 0.1 + 0.2 settled at 3 s and 4 s; the released one counts nothing; `later` still held.
      const [total, fromFour] = await second.tally([check(null, '9'), check(at(4_000), '9')], at(4_500));
      expect(amounts(total)).toEqual({ spent: '0.3', reserved: '0.4' });
      expect(amounts(fromFour)).toEqual({ spent: '0.2', reserved: '0.4' });
      await close();
    });

    it('gives the correction of an estimate to one caller, and only for a claimed expiry', async () => {
      const { first, second, close } = await open();
      await first.reserve(charge('c1', '0.4'), [], at(0));
      await first.reserve(charge('c2', '0.4', { expiresAt: at(60_000) }), [], at(0));
      expect(await first.claimCorrection('c1')).toBe(false);
      await second.claimExpired('claimant', at(2_000));
      const claims = await Promise.all([first.claimCorrection('c1'), second.claimCorrection('c1')]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await first.claimCorrection('c2')).toBe(false);
      expect(await first.claimCorrection('missing')).toBe(false);
      expect(byId(await second.charges({ ids: ['c1'] })).c1?.estimateCorrected).toBe(true);
      await close();
    });

    it('finds charges by id or idempotency key, in any state', async () => {
      const { first, second, close } = await open();
      await first.reserve(charge('a', '0.1', { idempotencyKey: 'shared' }), [], at(0));
      await first.reserve(charge('b', '0.1', { idempotencyKey: 'shared', time: at(1) }), [], at(0));
      await first.reserve(charge('c', '0.1', { idempotencyKey: null }), [], at(0));
      await first.release('b');
      const found = await second.charges({ idempotencyKeys: ['shared', 'none'], ids: ['c', 'a'] });
      // Oldest first, then by id.
      expect(found.map((stored) => [stored.id, stored.state])).toEqual([
        ['a', 'reserved'],
        ['c', 'reserved'],
        ['b', 'released'],
      ]);
      expect(found[1]?.idempotencyKey).toBeNull();
      expect(await second.charges({})).toEqual([]);
      await close();
    });
  });
}

/**
 * The store against the memory store as the model: any sequence of operations gives the same
 * outcomes and tallies. `runs` is smaller for stores that pay a schema per run.
 */
export function describeAgreementWithMemory(kind: BudgetStoreKind, runs = 100): void {
  describe(`${kind.name} agrees with MemoryBudgetStore`, () => {
    type Step =
      | { kind: 'reserve'; cents: number; leaseMs: number; owner: 'a' | 'b' }
      | { kind: 'renew'; owner: 'a' | 'b'; leaseMs: number }
      | { kind: 'settle'; pick: number; cents: number }
      | { kind: 'release'; pick: number }
      | { kind: 'claim' }
      | { kind: 'advance'; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        cents: fc.integer({ min: 0, max: 40 }),
        leaseMs: fc.integer({ min: 1, max: 3_000 }),
        owner: fc.constantFrom('a' as const, 'b' as const),
      }),
      fc.record({
        kind: fc.constant('renew' as const),
        owner: fc.constantFrom('a' as const, 'b' as const),
        leaseMs: fc.integer({ min: 1, max: 3_000 }),
      }),
      fc.record({
        kind: fc.constant('settle' as const),
        pick: fc.nat(),
        cents: fc.integer({ min: 0, max: 60 }),
      }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.constant({ kind: 'claim' as const }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2_000 }) }),
    );

    it('any sequence of reserves, renewals, settles, releases, claims and clock steps', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
          const memory = new MemoryBudgetStore();
          const pair = await kind.open();
          const other = pair.first;
          const cents = (count: number) => Money.fromUnits(BigInt(count) * 10n ** 10n, 'USD');
          const checks = [check(null, '2'), check(at(0), '2', 'tag:team=a'), check(at(1_500), '2')];
          let now = 0;
          const ids: string[] = [];
          for (const [index, next] of steps.entries()) {
            const outcomes = await Promise.all(
              [memory, other].map(async (store): Promise<unknown> => {
                if (next.kind === 'reserve') {
                  const made = charge(`c${index}`, '0', {
                    amount: cents(next.cents),
                    owner: next.owner,
                    time: at(now),
                    expiresAt: at(now + next.leaseMs),
                  });
                  const result = await store.reserve(made, checks, at(now));
                  return { ...result, tallies: result.tallies.map(amounts) };
                }
                if (next.kind === 'renew')
                  return (await store.renew(next.owner, ids, at(now + next.leaseMs), at(now))).sort();
                if (next.kind === 'settle' && ids.length > 0)
                  return store.settle(ids[next.pick % ids.length] as string, cents(next.cents), at(now));
                if (next.kind === 'release' && ids.length > 0)
                  return store.release(ids[next.pick % ids.length] as string);
                if (next.kind === 'claim')
                  return (await store.claimExpired('claimant', at(now))).map((stored) => stored.id).sort();
                return undefined;
              }),
            );
            expect(outcomes[1]).toEqual(outcomes[0]);
            if (next.kind === 'reserve' && (outcomes[0] as { accepted: boolean }).accepted)
              ids.push(`c${index}`);
            if (next.kind === 'advance') now += next.ms;
            const [memoryTallies, otherTallies] = await Promise.all([
              memory.tally(checks, at(now)),
              other.tally(checks, at(now)),
            ]);
            expect(otherTallies.map(amounts)).toEqual(memoryTallies.map(amounts));
          }
          // A lease that lapsed may show as `reserved` until something sweeps it: the same thing as `expired`.
          const states = async (store: BudgetStore) =>
            (await store.charges({ ids })).map((stored) =>
              stored.state === 'reserved' && stored.expiresAt.getTime() <= at(now).getTime()
                ? [stored.id, 'expired', stored.amount.units]
                : [stored.id, stored.state, stored.spent?.units ?? null],
            );
          expect(await states(other)).toEqual(await states(memory));
          await pair.close();
        }),
        { numRuns: runs },
      );
    });
  });
}
