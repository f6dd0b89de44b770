import type { Money } from './money.js';

/** A reservation as a store keeps it. */
export interface BudgetCharge {
  readonly id: string;
  /** Every scope the charge counts against (always including `global`). */
  readonly scopes: readonly string[];
  readonly amount: Money;
  readonly time: Date;
}

/** One limit to test: spend in `scope` and `amount.currency` since `since` (null: ever) against `limit`. */
export interface BudgetCheck {
  readonly limitId: string;
  readonly scope: string;
  readonly since: Date | null;
  readonly limit: Money;
  /** Only hard checks can refuse a reservation; soft ones are measured for warnings. */
  readonly hard: boolean;
}

/**
 * What counts against a limit: `spent` is settled charges whose settle time is in the window;
 * `reserved` is every open reservation (it may still be spent now).
 */
export interface BudgetTally {
  readonly limitId: string;
  readonly spent: Money;
  readonly reserved: Money;
}

export interface BudgetReserveResult {
  readonly accepted: boolean;
  /** Tallies before this charge, one per check, in order. */
  readonly tallies: readonly BudgetTally[];
}

/** `unknown`: no such reservation; `closed`: already settled or released. */
export type BudgetSettleOutcome = 'settled' | 'unknown' | 'closed';
export type BudgetReleaseOutcome = 'released' | 'unknown' | 'closed';

/**
 * Where budget charges live. `reserve` is the one operation that must be atomic: tally every
 * check, and record the charge only if for each hard check `spent + reserved + amount <= limit`,
 * with no other reservation in between (one process: one synchronous step; SQLite: an
 * immediate transaction; Redis: a script; Postgres: a serializable transaction or a lock).
 */
export interface BudgetStore {
  reserve(charge: BudgetCharge, checks: readonly BudgetCheck[]): Promise<BudgetReserveResult>;
  /** Turns an open reservation into spend of `actual` (which may exceed what was reserved) at `time`. */
  settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome>;
  /** Drops an open reservation: nothing was spent. */
  release(id: string): Promise<BudgetReleaseOutcome>;
  tally(checks: readonly BudgetCheck[]): Promise<BudgetTally[]>;
  close(): Promise<void>;
}

/** True when a tally plus an amount stays within a check's limit. */
export function fitsWithin(check: BudgetCheck, tally: BudgetTally, amount: Money): boolean {
  return tally.spent.plus(tally.reserved).plus(amount).compare(check.limit) <= 0;
}
