import { AiaasError, BudgetExceededError } from '../errors/index.js';
import { flatRandomUuid } from '../retry/flat-random-uuid.js';
import { type BudgetExpiry, ExpiryRecorder } from './budget-expiry-recorder.js';
import { resolveLeaseMs, resolveOwner } from './budget-lease.js';
import { LeaseKeeper } from './budget-lease-keeper.js';
import {
  type BudgetLimit,
  type BudgetLimitOptions,
  checkScope,
  describeWindow,
  normalizeLimit,
  windowStart,
} from './budget-limit.js';
import {
  type BudgetCharge,
  type BudgetCheck,
  type BudgetSettleOutcome,
  type BudgetStore,
  type BudgetTally,
  fitsWithin,
} from './budget-store.js';
import type { Ledger } from './ledger.js';
import { MemoryBudgetStore } from './memory-budget-store.js';
import { Money } from './money.js';

/** What a settle that had nothing to wait for returns. */
const settledPromise: Promise<void> = Promise.resolve();

export interface BudgetOptions {
  limits: readonly BudgetLimitOptions[];
  /** Default: a {@link MemoryBudgetStore} (one process). Use a SQLite store to share across processes. */
  store?: BudgetStore;
  /** Called with every warning, like `budget.on('warning', ...)`. */
  onWarning?: (warning: BudgetWarning) => void;
  now?: () => Date;
  makeId?: () => string;
  /**
   * How long a reservation's lease lasts, in ms (default 120,000; 1,000 to 86,400,000). While
   * this Budget is open it renews the leases it holds every third of this; a reservation whose
   * owner died (or stopped renewing) lapses after it: it stops counting as reserved and counts
   * as spent at its full amount, recorded as an `estimated` ledger entry.
   */
  leaseMs?: number;
  /** Who holds this Budget's reservations, as the store records it. Default: host/pid/random, unique per Budget. */
  owner?: string;
  /**
   * Where reservations whose lease ran out (this process's or any other's sharing the store) are
   * recorded, once each, as `estimated` entries at their full amount. Use the ledger your calls
   * record to: when a late settle or `recoverUsage()` learns the real cost, the estimate is
   * reversed there by a correcting entry. Without one, the first `AiaasClient` given this Budget
   * lends it its ledger; with neither (and no `expired` listener) this Budget leaves expiries for
   * one that records them.
   */
  ledger?: Ledger;
  /** Called with every expiry this Budget records, like `budget.on('expired', ...)`. */
  onExpired?: (expiry: BudgetExpiry) => void;
}

/** What `reserve` may also say about the call, so that an expiry or a recovery can name it. */
export interface BudgetReserveOptions {
  /** The call's idempotency key: `recoverUsage()` matches the provider's billing records by it. */
  idempotencyKey?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
}

/** A held amount; pass it to `settle` or `release`. */
export interface BudgetReservation {
  readonly id: string;
  readonly amount: Money;
  /** The scopes it counts against, `global` included. */
  readonly scopes: readonly string[];
  readonly time: Date;
  /** The Budget that holds it (and renews its lease). */
  readonly owner: string;
  readonly idempotencyKey: string | null;
}

export type { BudgetExpiry } from './budget-expiry-recorder.js';

/** A soft limit crossed (at reserve or settle), or a hard limit overspent by a settlement larger than its reservation. */
export interface BudgetWarning {
  readonly limit: BudgetLimit;
  readonly phase: 'reserve' | 'settle';
  readonly spent: Money;
  readonly reserved: Money;
  /** Spent + reserved (+ the new reservation, at reserve). */
  readonly attempted: Money;
  readonly message: string;
}

export interface BudgetLimitStatus {
  readonly limit: BudgetLimit;
  readonly spent: Money;
  readonly reserved: Money;
  /** Limit - spent - reserved; negative once overspent. */
  readonly remaining: Money;
}

/**
 * Spending limits that hold before money is spent: reserve a call's maximum cost before
 * sending it, settle the actual cost after, release what was not used. Hard limits fail closed
 * with {@link BudgetExceededError}; soft limits emit a `warning`.
 *
 * @example
 * const budget = new Budget({ limits: [
 *   { limit: Money.of('100', 'USD'), window: 'day' },
 *   { scope: 'tag:team=search', limit: Money.of('5', 'USD'), window: { rollingMinutes: 60 }, mode: 'soft' },
 * ] });
 * budget.on('warning', (warning) => log.warn(warning.message));
 * const reservation = await budget.reserve(quote.max, budgetScopes({ tags: { team: 'search' } }));
 * try { const result = await call(); await budget.settle(reservation, result.cost); }
 * finally { await budget.release(reservation); } // no-op once settled
 *
 * // Shared across processes, with leases: a crashed process's reservations lapse after 2 minutes
 * // and are recorded once, as estimated spend, in the ledger.
 * const shared = new Budget({ limits, store: await SqliteBudgetStore.open('budget.db'), ledger });
 * const held = await shared.reserve(quote.max, scopes, { idempotencyKey, model: 'gpt-4o', provider: 'openai' });
 * shared.on('expired', ({ charge }) => log.warn(`reservation ${charge.id} lapsed`));
 */
export class Budget {
  readonly limits: readonly BudgetLimit[];
  readonly store: BudgetStore;
  /** How long a reservation's lease lasts, in ms. */
  readonly leaseMs: number;
  /** The owner id this Budget's reservations carry. */
  readonly owner: string;
  private readonly listeners = new Set<(warning: BudgetWarning) => void>();
  private readonly now: () => Date;
  private readonly makeId: () => string;
  private readonly keeper: LeaseKeeper;
  private readonly recorder: ExpiryRecorder;
  /** The store, when it is a plain MemoryBudgetStore, which settles without waiting. */
  private readonly syncStore: MemoryBudgetStore | undefined;

  constructor(options: BudgetOptions) {
    this.limits = Object.freeze(options.limits.map(normalizeLimit));
    this.store = options.store ?? new MemoryBudgetStore();
    this.now = options.now ?? (() => new Date());
    this.makeId = options.makeId ?? flatRandomUuid;
    this.leaseMs = resolveLeaseMs(options.leaseMs);
    this.owner = resolveOwner(options.owner);
    if (options.onWarning) this.listeners.add(options.onWarning);
    this.keeper = new LeaseKeeper({
      store: this.store,
      owner: this.owner,
      leaseMs: this.leaseMs,
      now: this.now,
      afterRenewal: () => this.recorder.sweepQuietly(),
      sweeps: () => this.recorder.records,
    });
    this.recorder = new ExpiryRecorder({
      store: this.store,
      claimant: this.owner,
      ledger: options.ledger,
      now: this.now,
      // One of ours that lapsed (a stalled event loop, a failing store): stop trying to renew it.
      onClaimed: (id) => this.keeper.drop(id),
    });
    if (options.onExpired) this.recorder.listeners.add(options.onExpired);
    const store = this.store;
    this.syncStore =
      store instanceof MemoryBudgetStore && store.settle === MemoryBudgetStore.prototype.settle
        ? store
        : undefined;
  }

  /** Where lapsed reservations are recorded: the `ledger` option, or the first client's ledger. */
  get ledger(): Ledger | undefined {
    return this.recorder.ledger;
  }

  /**
   * Records lapsed reservations in `ledger` when this Budget was made without one. An
   * `AiaasClient` given this Budget hands it its own ledger this way, so a crashed or stalled
   * call's lapsed hold lands next to the calls' entries; a ledger given here or before stays.
   */
  adoptLedger(ledger: Ledger): void {
    this.recorder.ledger ??= ledger;
  }

  /**
   * Listens for `warning`s (soft limits crossed, hard limits overspent) or `expired` (each
   * reservation whose lease ran out, as this Budget records it); returns a function that stops
   * listening.
   */
  on(event: 'warning', listener: (warning: BudgetWarning) => void): () => void;
  on(event: 'expired', listener: (expiry: BudgetExpiry) => void): () => void;
  on(
    event: 'warning' | 'expired',
    listener: ((warning: BudgetWarning) => void) | ((expiry: BudgetExpiry) => void),
  ): () => void {
    if (event === 'warning') this.listeners.add(listener as (warning: BudgetWarning) => void);
    else if (event === 'expired') {
      this.recorder.listeners.add(listener as (expiry: BudgetExpiry) => void);
      this.keeper.start();
    } else {
      throw new AiaasError(`Budget emits "warning" and "expired", not ${JSON.stringify(event)}.`);
    }
    return () => this.off(event as 'warning', listener as (warning: BudgetWarning) => void);
  }

  off(event: 'warning', listener: (warning: BudgetWarning) => void): void;
  off(event: 'expired', listener: (expiry: BudgetExpiry) => void): void;
  off(
    event: 'warning' | 'expired',
    listener: ((warning: BudgetWarning) => void) | ((expiry: BudgetExpiry) => void),
  ): void {
    if (event === 'expired') this.recorder.listeners.delete(listener as (expiry: BudgetExpiry) => void);
    else this.listeners.delete(listener as (warning: BudgetWarning) => void);
  }

  /**
   * Holds `amount` against every limit of the given scopes (and `global`), under a lease this
   * Budget renews until it settles or releases it. Throws {@link BudgetExceededError}, recording
   * nothing, if any hard limit would be exceeded.
   */
  async reserve(
    amount: Money,
    scopes: readonly string[] = [],
    options: BudgetReserveOptions = {},
  ): Promise<BudgetReservation> {
    checkAmount(amount, 'reserve');
    const allScopes = [...new Set(['global', ...scopes.map(checkScope)])];
    const time = this.now();
    const checks = this.checksFor(allScopes, amount.currency, time);
    const idempotencyKey = optionalText(options.idempotencyKey, 'idempotencyKey');
    const reservation: BudgetReservation = Object.freeze({
      id: this.makeId(),
      amount,
      scopes: allScopes,
      time,
      owner: this.owner,
      idempotencyKey,
    });
    const charge: BudgetCharge = {
      ...reservation,
      expiresAt: new Date(time.getTime() + this.leaseMs),
      model: optionalText(options.model, 'model'),
      provider: optionalText(options.provider, 'provider'),
    };
    const result = await this.store.reserve(charge, checks, time);
    // Lapsed leases are waiting to be recorded: record them now rather than at the next tick.
    if (result.expiriesWaiting && this.recorder.records) void this.recorder.sweepQuietly();
    this.keeper.start();
    if (!result.accepted) {
      const index = checks.findIndex(
        (check, position) =>
          check.hard && !fitsWithin(check, result.tallies[position] as BudgetTally, amount),
      );
      throw this.exceeded(
        checks[Math.max(0, index)] as BudgetCheck,
        result.tallies[Math.max(0, index)],
        amount,
      );
    }
    checks.forEach((check, index) => {
      const tally = result.tallies[index] as BudgetTally;
      if (!check.hard && !fitsWithin(check, tally, amount)) this.warn(check, tally, amount, 'reserve');
    });
    this.keeper.hold(reservation.id);
    return reservation;
  }

  /**
   * Records what the call actually cost and frees the rest of the reservation. `actual` may
   * exceed the reservation (it is recorded anyway, and a warning names any limit now exceeded).
   */
  settle(reservation: BudgetReservation, actual: Money): Promise<void> {
    // Not an async function: on a plain memory store with no listeners a settle then costs one
    // settled promise, no more (it runs once per call).
    try {
      checkAmount(actual, 'settle');
      if (actual.currency !== reservation.amount.currency) {
        throw new AiaasError(
          `Cannot settle a ${reservation.amount.currency} reservation with ${actual.currency}: currencies do not mix.`,
          { code: 'currency_mismatch' },
        );
      }
      const time = this.now();
      // Whatever happens next, stop renewing: if the store fails now, the lease runs out and the
      // reservation is recorded as estimated spend instead of staying open for ever.
      this.keeper.drop(reservation.id);
      if (this.syncStore === undefined) {
        return this.store
          .settle(reservation.id, actual, time)
          .then((outcome) => this.afterSettle(reservation, actual, time, outcome));
      }
      const outcome = this.syncStore.settleNow(reservation.id, actual, time);
      if (outcome === 'settled' && this.listeners.size === 0) return settledPromise;
      return this.afterSettle(reservation, actual, time, outcome);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What a settle does once the store answered: correct an estimate, refuse, warn. */
  private async afterSettle(
    reservation: BudgetReservation,
    actual: Money,
    time: Date,
    outcome: BudgetSettleOutcome,
  ): Promise<void> {
    if (outcome === 'settled-after-expiry') await this.recorder.correctEstimate(reservation.id, time);
    if (outcome === 'unknown') {
      throw new AiaasError(`Unknown budget reservation ${reservation.id}.`, { code: 'unknown_reservation' });
    }
    if (outcome === 'closed') {
      throw new AiaasError(`Budget reservation ${reservation.id} was already settled or released.`, {
        code: 'reservation_closed',
      });
    }
    if (this.listeners.size === 0) return;
    const checks = this.checksFor(reservation.scopes, actual.currency, time);
    const tallies = await this.store.tally(checks, time);
    const nothing = Money.zero(actual.currency);
    checks.forEach((check, index) => {
      const tally = tallies[index] as BudgetTally;
      if (actual.isPositive() && !fitsWithin(check, tally, nothing))
        this.warn(check, tally, nothing, 'settle');
    });
  }

  /** Frees a reservation that spent nothing. Returns false (and does nothing) if it was already settled or released. */
  async release(reservation: BudgetReservation): Promise<boolean> {
    this.keeper.drop(reservation.id);
    const outcome = await this.store.release(reservation.id);
    if (outcome === 'unknown') {
      throw new AiaasError(`Unknown budget reservation ${reservation.id}.`, { code: 'unknown_reservation' });
    }
    if (outcome === 'released-after-expiry') await this.recorder.correctEstimate(reservation.id, this.now());
    return outcome === 'released' || outcome === 'released-after-expiry';
  }

  /**
   * Extends a reservation's lease by a full `leaseMs` from now (this Budget already does so on
   * its own while open). False when there is nothing to renew: it was settled, released, or
   * its lease had already run out (it then counts as spent, and `settle` still records the real cost).
   */
  async renew(reservation: BudgetReservation): Promise<boolean> {
    const now = this.now();
    const renewed = await this.store.renew(
      reservation.owner,
      [reservation.id],
      new Date(now.getTime() + this.leaseMs),
      now,
    );
    if (renewed.length === 0) this.keeper.drop(reservation.id);
    return renewed.length > 0;
  }

  /**
   * Records now every reservation whose lease has run out and that nobody has recorded yet (in
   * any process sharing the store): each becomes one `estimated` ledger entry at its full
   * amount (with `ledger`) and one `expired` event; returns them. The store hands each expiry to
   * one Budget only, so sweeping from several processes records each once. An open Budget does
   * this by itself every third of a lease; a Budget with neither a ledger nor an `expired`
   * listener records nothing (and claims nothing), leaving expiries for one that does.
   */
  sweep(): Promise<BudgetExpiry[]> {
    return this.recorder.sweep();
  }

  /** Spent, reserved and remaining for every limit, in the current windows. */
  async status(): Promise<BudgetLimitStatus[]> {
    const time = this.now();
    const checks = this.limits.map((limit) => toCheck(limit, time));
    const tallies = await this.store.tally(checks, time);
    return this.limits.map((limit, index) => {
      const tally = tallies[index] as BudgetTally;
      return {
        limit,
        spent: tally.spent,
        reserved: tally.reserved,
        remaining: limit.limit.minus(tally.spent).minus(tally.reserved),
      };
    });
  }

  /**
   * Stops renewing leases and sweeping, then closes the store. Reservations still held are left
   * to their leases: they lapse and are recorded as estimated spend, since this Budget can no
   * longer settle them.
   */
  async close(): Promise<void> {
    await this.keeper.close();
    await this.recorder.idle();
    await this.store.close();
  }

  private checksFor(scopes: readonly string[], currency: string, time: Date): BudgetCheck[] {
    const applicable = this.limits.filter((limit) => scopes.includes(limit.scope));
    for (const limit of applicable) {
      if (limit.limit.currency !== currency) {
        throw new AiaasError(
          `Budget limit for ${limit.scope} is in ${limit.limit.currency} but the amount is in ${currency}: currencies do not mix.`,
          { code: 'currency_mismatch' },
        );
      }
    }
    return applicable.map((limit) => toCheck(limit, time));
  }

  private limitOf(check: BudgetCheck): BudgetLimit {
    return this.limits.find((limit) => limit.id === check.limitId) as BudgetLimit;
  }

  private exceeded(check: BudgetCheck, tally: BudgetTally | undefined, amount: Money): BudgetExceededError {
    const limit = this.limitOf(check);
    const spent = tally?.spent ?? Money.zero(amount.currency);
    const reserved = tally?.reserved ?? Money.zero(amount.currency);
    const attempted = spent.plus(reserved).plus(amount);
    return new BudgetExceededError(
      `Hard budget for ${check.scope} (${describeWindow(limit.window)}) would be exceeded: limit ${check.limit}, ` +
        `spent ${spent}, reserved ${reserved}, this call needs up to ${amount}. Nothing was sent.`,
      { scope: check.scope, limit: check.limit.toString(), attempted: attempted.toString() },
    );
  }

  private warn(check: BudgetCheck, tally: BudgetTally, amount: Money, phase: BudgetWarning['phase']): void {
    const limit = this.limitOf(check);
    const attempted = tally.spent.plus(tally.reserved).plus(amount);
    const what = limit.mode === 'soft' ? 'Soft budget' : 'Hard budget (overspent by a settlement)';
    const warning: BudgetWarning = Object.freeze({
      limit,
      phase,
      spent: tally.spent,
      reserved: tally.reserved,
      attempted,
      message: `${what} for ${check.scope} (${describeWindow(limit.window)}) exceeded: limit ${check.limit}, now ${attempted}.`,
    });
    for (const listener of this.listeners) {
      try {
        listener(warning);
      } catch (error) {
        // A failing listener must not undo a reservation already recorded.
        process.emitWarning(`A budget warning listener threw: ${(error as Error).message}`);
      }
    }
  }
}

function toCheck(limit: BudgetLimit, time: Date): BudgetCheck {
  return {
    limitId: limit.id,
    scope: limit.scope,
    since: windowStart(limit.window, time),
    limit: limit.limit,
    hard: limit.mode === 'hard',
  };
}

function optionalText(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') {
    throw new AiaasError(`Budget reserve option \`${name}\` must be a non-empty string.`, {
      code: 'invalid_budget_option',
    });
  }
  return value;
}

function checkAmount(amount: Money, operation: string): void {
  if (!(amount instanceof Money) || amount.isNegative()) {
    throw new AiaasError(`Budget ${operation} needs a non-negative Money amount.`, {
      code: 'invalid_budget_amount',
    });
  }
}
