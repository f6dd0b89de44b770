import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../errors/index.js';

/** How long a reservation's lease lasts unless `leaseMs` says otherwise: 2 minutes. */
export const DEFAULT_LEASE_MS = 120_000;
/** The shortest lease: shorter ones would lapse under a merely busy event loop. */
export const MIN_LEASE_MS = 1_000;
/** The longest lease: a day (a crashed process then blocks its budget at most that long). */
export const MAX_LEASE_MS = 86_400_000;

/** Checks `leaseMs`, or gives the default. */
export function resolveLeaseMs(leaseMs: number | undefined): number {
  if (leaseMs === undefined) return DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < MIN_LEASE_MS || leaseMs > MAX_LEASE_MS) {
    throw new InvalidOptionError(
      `Invalid budget option \`leaseMs\`: got ${String(leaseMs)}; expected whole milliseconds from ${MIN_LEASE_MS} to ${MAX_LEASE_MS}.`,
      {
        option: 'leaseMs',
        allowed: `a whole number of milliseconds from ${MIN_LEASE_MS} to ${MAX_LEASE_MS}`,
      },
    );
  }
  return leaseMs;
}

/** Checks `owner`, or makes one unique to this Budget instance. */
export function resolveOwner(owner: string | undefined): string {
  if (owner === undefined) return newBudgetOwner();
  if (typeof owner !== 'string' || owner.trim() === '' || owner.length > 200) {
    throw new InvalidOptionError(
      `Invalid budget option \`owner\`: expected a non-empty string of at most 200 characters.`,
      { option: 'owner', allowed: 'a non-empty string of at most 200 characters' },
    );
  }
  return owner;
}

/**
 * A new owner id: host and process id for people reading the store, and random bits so that two
 * Budgets in one process (or a pid reused after a crash) never share one.
 *
 * @example
 * newBudgetOwner(); // 'build-7/48213/3f9a0c1e2b4d5a6c'
 */
export function newBudgetOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(8).toString('hex')}`;
}

/** How often a Budget renews the leases it holds: three times per lease, so one missed renewal is harmless. */
export function renewalIntervalMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 3));
}
