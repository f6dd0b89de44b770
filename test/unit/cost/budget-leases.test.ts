import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Budget, type BudgetExpiry } from '../../../src/cost/budget.js';
import { DEFAULT_LEASE_MS } from '../../../src/cost/budget-lease.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { MemoryLedgerStore } from '../../../src/cost/memory-ledger-store.js';
import { Money } from '../../../src/cost/money.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';
import { SqliteLedgerStore } from '../../../src/cost/sqlite-ledger-store.js';
import { USAGE_BUCKETS, usageProvenance } from '../../../src/cost/usage.js';
import { BudgetExceededError, InvalidOptionError } from '../../../src/errors/index.js';
import { manualClock } from '../../support/manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-budget-leases-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Budget lease options', () => {
  it('validates leaseMs and owner, and gives every Budget its own owner id', () => {
    for (const leaseMs of [0, 999, 1_500.5, Number.NaN, 86_400_001, -1]) {
      expect(() => new Budget({ limits: [], leaseMs })).toThrow(InvalidOptionError);
    }
    expect(() => new Budget({ limits: [], owner: ' ' })).toThrow(/owner/);
    const first = new Budget({ limits: [] });
    const second = new Budget({ limits: [] });
    expect(first.leaseMs).toBe(DEFAULT_LEASE_MS);
    expect(first.owner).toMatch(new RegExp(`/${process.pid}/[0-9a-f]{16}$`));
    expect(second.owner).not.toBe(first.owner);
    expect(new Budget({ limits: [], owner: 'worker-1', leaseMs: 1_000 })).toMatchObject({
      owner: 'worker-1',
      leaseMs: 1_000,
    });
  });

  it('reservations carry the owner and the idempotency key, and refuse an empty key', async () => {
    const budget = new Budget({ limits: [], owner: 'worker-1' });
    const held = await budget.reserve(usd('0.1'), [], { idempotencyKey: 'call-1', model: 'ref-chat' });
    expect(held).toMatchObject({ owner: 'worker-1', idempotencyKey: 'call-1' });
    const [stored] = await budget.store.charges({ idempotencyKeys: ['call-1'] });
    expect(stored).toMatchObject({ id: held.id, model: 'ref-chat', provider: null, owner: 'worker-1' });
    expect(stored?.expiresAt.getTime()).toBe(held.time.getTime() + DEFAULT_LEASE_MS);
    await expect(budget.reserve(usd('0.1'), [], { idempotencyKey: '' })).rejects.toThrow(/idempotencyKey/);
    await budget.close();
  });
});

describe('Budget lease renewal (fake timers: time is the subject)', () => {
  it('keeps a long-held reservation alive while open, and lets it lapse once closed', async () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
    const store = new MemoryBudgetStore();
    const budget = new Budget({ limits: [{ limit: usd('1') }], store, leaseMs: 3_000 });
    const long = await budget.reserve(usd('0.6'));
    // Ten leases long: a stream that outlives its first lease many times over.
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await budget.status())[0]?.reserved.toDecimalString()).toBe('0.6');
    await expect(budget.reserve(usd('0.5'))).rejects.toThrow(BudgetExceededError);
    expect(await budget.renew(long)).toBe(true);
    await budget.settle(long, usd('0.2'));
    expect(await budget.renew(long)).toBe(false);

    const orphan = await budget.reserve(usd('0.3'));
    await budget.close();
    await vi.advanceTimersByTimeAsync(3_000);
    // Nobody renews it now: it lapsed, and counts as spent at its full amount.
    const [tally] = await store.tally([
      { limitId: 'g', scope: 'global', since: null, limit: usd('1'), hard: true },
    ]);
    expect(tally?.reserved.isZero()).toBe(true);
    expect(tally?.spent.toDecimalString()).toBe('0.5');
    const [stored] = await store.charges({ ids: [orphan.id] });
    expect(stored?.expiresAt.getTime()).toBe(orphan.time.getTime() + 3_000);
  });

  it('an open Budget with a ledger records a dead owner’s lapsed reservations by itself', async () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
    const store = new MemoryBudgetStore();
    const dead = new Budget({ limits: [], store, leaseMs: 3_000 });
    await dead.reserve(usd('0.25'), ['tag:team=search', 'key:key_1'], {
      idempotencyKey: 'call-1',
      model: 'ref-chat',
      provider: 'openai',
    });
    await dead.close();
    const ledger = new Ledger({ store: new MemoryLedgerStore() });
    const expiries: BudgetExpiry[] = [];
    const watcher = new Budget({
      limits: [],
      store,
      leaseMs: 3_000,
      ledger,
      onExpired: (expiry) => expiries.push(expiry),
    });
    // Starts its timer: it has a ledger, so it sweeps even holding nothing.
    await watcher.reserve(usd('0'));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(expiries).toHaveLength(1);
    const [entry] = await ledger.entries();
    expect(expiries[0]?.entry).toEqual(entry);
    expect(entry).toMatchObject({
      idempotencyKey: 'call-1',
      model: 'ref-chat',
      provider: 'openai',
      apiKeyId: 'key_1',
      status: 'aborted',
      requestId: null,
      tags: { team: 'search', 'aiaas.entry': 'lease-expired', 'aiaas.charge': expiries[0]?.charge.id },
    });
    expect(entry?.cost?.toDecimalString()).toBe('0.25');
    expect(USAGE_BUCKETS.every((bucket) => entry?.usage[bucket].provenance === 'estimated')).toBe(true);
    expect(usageProvenance(entry?.usage ?? ({} as never))).toBe('reported');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await ledger.entries()).toHaveLength(1);
    await watcher.close();
  });
});

describe('Budget expiries', () => {
  it('are recorded once as estimated, even with several Budgets on other connections sweeping', async () => {
    const path = join(directory, 'sweepers.db');
    const time = manualClock();
    const owner = new Budget({
      limits: [],
      store: await SqliteBudgetStore.open(path),
      now: time.now,
      leaseMs: 2_000,
    });
    const reservations = await Promise.all(
      ['a', 'b', 'c', 'd'].map((key) => owner.reserve(usd('0.1'), [], { idempotencyKey: key })),
    );
    await owner.close();
    time.advance(2_000);
    const ledger = new Ledger({ store: await SqliteLedgerStore.open(path) });
    const sweepers = await Promise.all(
      [1, 2, 3].map(
        async () =>
          new Budget({ limits: [], store: await SqliteBudgetStore.open(path), now: time.now, ledger }),
      ),
    );
    const swept = await Promise.all(sweepers.map((budget) => budget.sweep()));
    expect(
      swept
        .flat()
        .map((expiry) => expiry.charge.idempotencyKey)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect((await ledger.entries()).map((entry) => entry.idempotencyKey).sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect((await ledger.total()).USD?.toDecimalString()).toBe('0.4');
    expect(await Promise.all(sweepers.map((budget) => budget.sweep()))).toEqual([[], [], []]);
    expect(reservations.map((reservation) => reservation.owner)).toEqual(Array(4).fill(owner.owner));
    for (const budget of sweepers) await budget.close();
    await ledger.close();
  });

  it('a Budget that records nothing claims nothing: the expiry waits for one that records', async () => {
    const time = manualClock();
    const store = new MemoryBudgetStore();
    const silent = new Budget({ limits: [], store, now: time.now, leaseMs: 1_000 });
    await silent.reserve(usd('0.5'), [], { idempotencyKey: 'k' });
    time.advance(1_000);
    expect(await silent.sweep()).toEqual([]);
    const seen: BudgetExpiry[] = [];
    const listening = new Budget({ limits: [], store, now: time.now });
    const stop = listening.on('expired', (expiry) => seen.push(expiry));
    const [expiry] = await listening.sweep();
    expect(expiry).toMatchObject({ entry: undefined, charge: { idempotencyKey: 'k', state: 'expired' } });
    expect(seen).toEqual([expiry]);
    stop();
    await silent.close();
    await listening.close();
  });

  it('a reserve that finds lapsed leases waiting has them recorded without waiting for a tick', async () => {
    const time = manualClock();
    const store = new MemoryBudgetStore();
    const limits = [{ limit: usd('1') }];
    const dead = new Budget({ limits, store, now: time.now, leaseMs: 1_000 });
    await dead.reserve(usd('0.7'), [], { idempotencyKey: 'crashed' });
    await dead.close();
    const ledger = new Ledger();
    const budget = new Budget({ limits, store, now: time.now, leaseMs: 1_000, ledger });
    await expect(budget.reserve(usd('0.5'))).rejects.toThrow(BudgetExceededError);
    time.advance(1_000);
    // The lapsed 0.7 counts as spent now (the money may have been spent): still no room for 0.5.
    await expect(budget.reserve(usd('0.5'))).rejects.toThrow(BudgetExceededError);
    await vi.waitFor(
      async () => expect(await ledger.entries({ idempotencyKey: 'crashed' })).toHaveLength(1),
      {
        timeout: 5_000,
      },
    );
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.toDecimalString()).toBe('0.7');
    await budget.reserve(usd('0.3'));
    await budget.close();
  });

  it('a settle after the lease ran out records the real cost and reverses the estimate exactly', async () => {
    const time = manualClock();
    const ledger = new Ledger();
    const budget = new Budget({ limits: [{ limit: usd('1') }], now: time.now, leaseMs: 1_000, ledger });
    const stalled = await budget.reserve(usd('0.6'), [], { idempotencyKey: 'slow', model: 'ref-chat' });
    const released = await budget.reserve(usd('0.2'), [], { idempotencyKey: 'nothing' });
    time.advance(5_000);
    expect((await budget.sweep()).map((expiry) => expiry.charge.id).sort()).toEqual(
      [stalled.id, released.id].sort(),
    );
    expect((await ledger.total()).USD?.toDecimalString()).toBe('0.8');
    // The call's own entry, as the client writes it, then the late settle.
    await ledger.append({
      model: 'ref-chat',
      provider: 'openai',
      idempotencyKey: 'slow',
      cost: usd('0.05'),
      status: 'ok',
    });
    await budget.settle(stalled, usd('0.05'));
    expect(await budget.release(released)).toBe(true);
    expect((await ledger.total()).USD?.toDecimalString()).toBe('0.05');
    const corrections = await ledger.entries({ tags: { 'aiaas.entry': 'correction' } });
    expect(corrections.map((entry) => entry.cost?.toDecimalString()).sort()).toEqual(['-0.2', '-0.6']);
    const [status] = await budget.status();
    expect(status?.spent.toDecimalString()).toBe('0.05');
    expect(status?.reserved.isZero()).toBe(true);
    await expect(budget.settle(stalled, usd('0.05'))).rejects.toMatchObject({ code: 'reservation_closed' });
    await budget.close();
  });
});
