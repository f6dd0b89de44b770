import type { Money } from './money.js';

/** A reservation as a store keeps it. */
export interface BudgetCharge {
  readonly id: string;
  /** Every scope the charge counts against (always including `global`). */
  readonly scopes: readonly string[];
  readonly amount: Money;
  readonly time: Date;
  /** The Budget instance (process) holding the charge: only it renews the lease. */
  readonly owner: string;
  /**
   * When the lease runs out. From then on the charge no longer counts as reserved: it counts
   * as spent at its full amount at this time (the money may have been spent), until a settle
   * or a recovery says what it really cost.
   */
  readonly expiresAt: Date;
  /** The call's idempotency key, so that recovery can match the provider's billing records. */
  readonly idempotencyKey: string | null;
  /** What the charge is for, named in the ledger entry written if its lease runs out. */
  readonly model: string | null;
  readonly provider: string | null;
}

/**
 * Where a stored charge stands. `reserved` with an `expiresAt` in the past is a lapsed lease not
 * yet swept: it already counts as spent, exactly like `expired`.
 */
export type BudgetChargeState = 'reserved' | 'settled' | 'released' | 'expired';

/** A charge as stored, with what became of it (for sweeps and recovery). */
export interface StoredBudgetCharge extends BudgetCharge {
  readonly state: BudgetChargeState;
  /** What counts as spent: the actual once settled, the full amount once expired; null otherwise. */
  readonly spent: Money | null;
  /** The owner that claimed recording the expiry (its `estimated` ledger entry), if any did. */
  readonly expiryRecordedBy: string | null;
  /** True once someone claimed writing the entry that reverses that estimate. */
  readonly estimateCorrected: boolean;
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
 * What counts against a limit: `spent` is settled charges whose settle time is in the window
 * (and lapsed leases, at their full amount, whose expiry is in the window); `reserved` is every
 * open reservation whose lease has not run out (it may still be spent now).
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
  /**
   * True when, after this step, some reservation whose lease ran out has not yet been claimed
   * for recording: a Budget with a ledger should sweep (`claimExpired`).
   */
  readonly expiriesWaiting: boolean;
}

/**
 * `unknown`: no such reservation; `closed`: already settled or released. `settled-after-expiry`
 * (and `released-after-expiry`): the lease had run out and an owner claimed recording it as an
 * `estimated` ledger entry, which must now be reversed (see `correctLeaseEstimate`).
 */
export type BudgetSettleOutcome = 'settled' | 'settled-after-expiry' | 'unknown' | 'closed';
export type BudgetReleaseOutcome = 'released' | 'released-after-expiry' | 'unknown' | 'closed';

/** Which stored charges {@link BudgetStore.charges} returns: those matching any id or key given. */
export interface BudgetChargeFilter {
  readonly ids?: readonly string[];
  readonly idempotencyKeys?: readonly string[];
}

/**
 * Where budget charges live. `reserve` is the one operation that must be atomic: tally every
 * check, and record the charge only if for each hard check `spent + reserved + amount <= limit`,
 * with no other reservation in between (one process: one synchronous step; SQLite: an
 * immediate transaction; Redis: a script; Postgres: a serializable transaction or a lock).
 *
 * Every charge has a lease (`owner`, `expiresAt`). Whether a lease has run out is decided by the
 * store against the `now` it is given, inside `reserve` and `tally`, so every process sharing
 * it agrees; a lapsed charge counts as spent at its amount (at its expiry time), never as
 * reserved. Expiries are recorded exactly once: `claimExpired` hands each to one claimant only.
 */
export interface BudgetStore {
  reserve(charge: BudgetCharge, checks: readonly BudgetCheck[], now?: Date): Promise<BudgetReserveResult>;
  /**
   * Turns an open (or expired) reservation into spend of `actual` (which may exceed what was
   * reserved) at `time`.
   */
  settle(id: string, actual: Money, time: Date): Promise<BudgetSettleOutcome>;
  /** Drops an open (or expired) reservation: nothing was spent. */
  release(id: string): Promise<BudgetReleaseOutcome>;
  tally(checks: readonly BudgetCheck[], now?: Date): Promise<BudgetTally[]>;
  /**
   * Extends to `expiresAt` the leases of those of `ids` that `owner` holds and that are still
   * open and unexpired at `now`, in one operation; returns the ids it renewed.
   */
  renew(owner: string, ids: readonly string[], expiresAt: Date, now: Date): Promise<string[]>;
  /**
   * Expires every lease that has run out at `now`, then claims for `claimant` every expired
   * charge nobody has claimed yet, and returns those: each is returned to one claimant, once.
   */
  claimExpired(claimant: string, now: Date): Promise<StoredBudgetCharge[]>;
  /**
   * Claims writing the entry that reverses an expired charge's estimate: true for exactly one
   * caller, and only for a charge whose expiry was claimed.
   */
  claimCorrection(id: string): Promise<boolean>;
  /** The stored charges with any of the given ids or idempotency keys. */
  charges(filter: BudgetChargeFilter): Promise<StoredBudgetCharge[]>;
  close(): Promise<void>;
}

/** True when a tally plus an amount stays within a check's limit. */
export function fitsWithin(check: BudgetCheck, tally: BudgetTally, amount: Money): boolean {
  return tally.spent.plus(tally.reserved).plus(amount).compare(check.limit) <= 0;
}

/** A stored charge's scopes as a Budget makes them: `global` first, then the rest in order. */
export function orderChargeScopes(scopes: readonly string[]): string[] {
  const rest = scopes.filter((scope) => scope !== 'global').sort();
  return ['global', ...rest];
}
