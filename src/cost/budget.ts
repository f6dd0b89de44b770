import { randomUUID } from 'node:crypto';
import { AiaasError, BudgetExceededError } from '../errors/index.js';
import {
  type BudgetLimit,
  type BudgetLimitOptions,
  checkScope,
  describeWindow,
  normalizeLimit,
  windowStart,
} from './budget-limit.js';
import { type BudgetCheck, type BudgetStore, type BudgetTally, fitsWithin } from './budget-store.js';
import { MemoryBudgetStore } from './memory-budget-store.js';
import { Money } from './money.js';

export interface BudgetOptions {
  limits: readonly BudgetLimitOptions[];
  /** Default: a {@link MemoryBudgetStore} (one process). Use a SQLite store to share across processes. */
  store?: BudgetStore;
  /** Called with every warning, like `budget.on('warning', ...)`. */
  onWarning?: (warning: BudgetWarning) => void;
  now?: () => Date;
  makeId?: () => string;
}

/** A held amount; pass it to `settle` or `release`. */
export interface BudgetReservation {
  readonly id: string;
  readonly amount: Money;
  /** The scopes it counts against, `global` included. */
  readonly scopes: readonly string[];
  readonly time: Date;
}

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
 */
export class Budget {
  readonly limits: readonly BudgetLimit[];
  readonly store: BudgetStore;
  private readonly listeners = new Set<(warning: BudgetWarning) => void>();
  private readonly now: () => Date;
  private readonly makeId: () => string;

  constructor(options: BudgetOptions) {
    this.limits = Object.freeze(options.limits.map(normalizeLimit));
    this.store = options.store ?? new MemoryBudgetStore();
    this.now = options.now ?? (() => new Date());
    this.makeId = options.makeId ?? randomUUID;
    if (options.onWarning) this.listeners.add(options.onWarning);
  }

  /** Listens for warnings; returns a function that stops listening. */
  on(event: 'warning', listener: (warning: BudgetWarning) => void): () => void {
    if (event !== 'warning')
      throw new AiaasError(`Budget emits only "warning", not ${JSON.stringify(event)}.`);
    this.listeners.add(listener);
    return () => this.off(event, listener);
  }

  off(_event: 'warning', listener: (warning: BudgetWarning) => void): void {
    this.listeners.delete(listener);
  }

  /**
   * Holds `amount` against every limit of the given scopes (and `global`). Throws
   * {@link BudgetExceededError}, recording nothing, if any hard limit would be exceeded.
   */
  async reserve(amount: Money, scopes: readonly string[] = []): Promise<BudgetReservation> {
    checkAmount(amount, 'reserve');
    const allScopes = [...new Set(['global', ...scopes.map(checkScope)])];
    const time = this.now();
    const checks = this.checksFor(allScopes, amount.currency, time);
    const reservation: BudgetReservation = Object.freeze({
      id: this.makeId(),
      amount,
      scopes: allScopes,
      time,
    });
    const result = await this.store.reserve(reservation, checks);
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
    return reservation;
  }

  /**
   * Records what the call actually cost and frees the rest of the reservation. `actual` may
   * exceed the reservation (it is recorded anyway, and a warning names any limit now exceeded).
   */
  async settle(reservation: BudgetReservation, actual: Money): Promise<void> {
    checkAmount(actual, 'settle');
    if (actual.currency !== reservation.amount.currency) {
      throw new AiaasError(
        `Cannot settle a ${reservation.amount.currency} reservation with ${actual.currency}: currencies do not mix.`,
        { code: 'currency_mismatch' },
      );
    }
    const time = this.now();
    const outcome = await this.store.settle(reservation.id, actual, time);
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
    const tallies = await this.store.tally(checks);
    const nothing = Money.zero(actual.currency);
    checks.forEach((check, index) => {
      const tally = tallies[index] as BudgetTally;
      if (actual.isPositive() && !fitsWithin(check, tally, nothing))
        this.warn(check, tally, nothing, 'settle');
    });
  }

  /** Frees a reservation that spent nothing. Returns false (and does nothing) if it was already settled or released. */
  async release(reservation: BudgetReservation): Promise<boolean> {
    const outcome = await this.store.release(reservation.id);
    if (outcome === 'unknown') {
      throw new AiaasError(`Unknown budget reservation ${reservation.id}.`, { code: 'unknown_reservation' });
    }
    return outcome === 'released';
  }

  /** Spent, reserved and remaining for every limit, in the current windows. */
  async status(): Promise<BudgetLimitStatus[]> {
    const time = this.now();
    const checks = this.limits.map((limit) => toCheck(limit, time));
    const tallies = await this.store.tally(checks);
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

  async close(): Promise<void> {
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

function checkAmount(amount: Money, operation: string): void {
  if (!(amount instanceof Money) || amount.isNegative()) {
    throw new AiaasError(`Budget ${operation} needs a non-negative Money amount.`, {
      code: 'invalid_budget_amount',
    });
  }
}
