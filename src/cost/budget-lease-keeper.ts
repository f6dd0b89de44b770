import { renewalIntervalMs } from './budget-lease.js';
import type { BudgetStore } from './budget-store.js';

export interface LeaseKeeperOptions {
  readonly store: BudgetStore;
  readonly owner: string;
  readonly leaseMs: number;
  readonly now: () => Date;
  /** Run after each renewal (the Budget sweeps for expired reservations there). */
  readonly afterRenewal: () => Promise<void>;
  /** Whether ticks are wanted even while nothing is held (a Budget that records expiries). */
  readonly sweeps: () => boolean;
}

/**
 * Keeps alive the leases of the reservations one Budget holds: every third of a lease, one
 * store operation renews them all, so a long stream never expires under its owner. The timer is
 * unref'd (it never keeps a process alive), runs only while there is something to do, and one
 * tick never overlaps the next.
 *
 * @example
 * const keeper = new LeaseKeeper({ store, owner, leaseMs, now, afterRenewal: sweep, sweeps: () => false });
 * keeper.hold(reservation.id); ... keeper.drop(reservation.id); await keeper.close();
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #held = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #closed = false;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
  }

  /** The ids whose leases this keeper renews. */
  get held(): ReadonlySet<string> {
    return this.#held;
  }

  hold(id: string): void {
    this.#held.add(id);
    this.start();
  }

  /** Stops renewing a reservation (settled, released, or given up on: its lease will run out). */
  drop(id: string): void {
    this.#held.delete(id);
  }

  /** Starts the timer if there is something for it to do. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    if (this.#held.size === 0 && !this.#options.sweeps()) return;
    this.#timer = setInterval(() => {
      this.#tick ??= this.#runTick().finally(() => {
        this.#tick = undefined;
      });
    }, renewalIntervalMs(this.#options.leaseMs));
    this.#timer.unref();
  }

  /** Extends the given leases by a full lease from now; returns the ids renewed. */
  async renew(ids: readonly string[]): Promise<string[]> {
    const { store, owner, leaseMs } = this.#options;
    const now = this.#options.now();
    return store.renew(owner, ids, new Date(now.getTime() + leaseMs), now);
  }

  /** Stops the timer and waits for a tick in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tick;
  }

  async #runTick(): Promise<void> {
    if (this.#held.size === 0 && !this.#options.sweeps()) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    try {
      if (this.#held.size > 0) {
        const asked = [...this.#held];
        const renewed = new Set(await this.renew(asked));
        // Settled, released, or already expired: nothing left to keep alive.
        for (const id of asked) if (!renewed.has(id)) this.#held.delete(id);
      }
    } catch (error) {
      // The next tick tries again; if every one fails, the leases run out and are recorded as estimated.
      process.emitWarning(`Budget lease renewal failed: ${(error as Error).message}`, {
        code: 'AIAAS_BUDGET_LEASE_RENEWAL',
      });
    }
    await this.#options.afterRenewal();
  }
}
