import type { BudgetStore, StoredBudgetCharge } from './budget-store.js';
import { correctLeaseEstimate, leaseExpiryEntry } from './lease-ledger-entries.js';
import type { Ledger } from './ledger.js';
import type { LedgerEntry } from './ledger-entry.js';

/** A reservation whose lease ran out, as one Budget recorded it (each expiry is recorded by one Budget only). */
export interface BudgetExpiry {
  /** The charge as stored: `state` is `expired`, its full amount now counts as spent. */
  readonly charge: StoredBudgetCharge;
  /** Its `estimated` ledger entry, when the Budget has a ledger and the entry was written. */
  readonly entry: LedgerEntry | undefined;
}

export interface ExpiryRecorderOptions {
  readonly store: BudgetStore;
  /** Who claims the expiries (the Budget's owner id). */
  readonly claimant: string;
  ledger: Ledger | undefined;
  readonly now: () => Date;
  /** Told about each expiry claimed, so a lapsed reservation of the Budget's own is no longer renewed. */
  readonly onClaimed: (id: string) => void;
}

/**
 * One Budget's side of recording expiries: claims them from the store (each goes to one
 * claimant only), writes each as an `estimated` ledger entry, tells the `expired` listeners,
 * and reverses an estimate once a late settle or release says what the call really cost.
 * Sweeps of one Budget run one after another.
 *
 * @example
 * const recorder = new ExpiryRecorder({ store, claimant: owner, ledger, now, onClaimed: (id) => keeper.drop(id) });
 * const expiries = await recorder.sweep();
 */
export class ExpiryRecorder {
  readonly listeners = new Set<(expiry: BudgetExpiry) => void>();
  readonly #options: ExpiryRecorderOptions;

  /** Where expiries are written; a Budget made without one can be given one later. */
  get ledger(): Ledger | undefined {
    return this.#options.ledger;
  }

  set ledger(ledger: Ledger | undefined) {
    this.#options.ledger = ledger;
  }
  #sweeping: Promise<BudgetExpiry[]> | undefined;

  constructor(options: ExpiryRecorderOptions) {
    this.#options = { ...options };
  }

  /** Whether there is anywhere to record expiries (else they are left for a Budget that records them). */
  get records(): boolean {
    return this.#options.ledger !== undefined || this.listeners.size > 0;
  }

  sweep(): Promise<BudgetExpiry[]> {
    if (!this.records) return Promise.resolve([]);
    const previous = this.#sweeping ?? Promise.resolve([]);
    const next = previous.catch(() => []).then(() => this.#claimAndRecord());
    this.#sweeping = next;
    return next.finally(() => {
      if (this.#sweeping === next) this.#sweeping = undefined;
    });
  }

  /** A sweep from a timer or a reserve: a failure is a warning, the next sweep tries again. */
  async sweepQuietly(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      process.emitWarning(`Budget sweep for expired reservations failed: ${(error as Error).message}`, {
        code: 'AIAAS_BUDGET_SWEEP',
      });
    }
  }

  /** Waits for a sweep in progress. */
  async idle(): Promise<void> {
    await this.#sweeping?.catch(() => undefined);
  }

  /** A settle or release that came after the lease ran out: reverse the estimate recorded for it. */
  async correctEstimate(id: string, time: Date): Promise<void> {
    const { ledger, store } = this.#options;
    if (ledger === undefined) return;
    // If this Budget is recording that very expiry right now, let the estimate land first.
    await this.idle();
    try {
      await correctLeaseEstimate(ledger, store, id, time);
    } catch (error) {
      // The real cost is recorded; the estimate stays until recoverUsage() reverses it.
      process.emitWarning(
        `Could not reverse the estimate of budget reservation ${id}: ${(error as Error).message}`,
        { code: 'AIAAS_BUDGET_EXPIRY' },
      );
    }
  }

  async #claimAndRecord(): Promise<BudgetExpiry[]> {
    const { store, claimant, ledger, now, onClaimed } = this.#options;
    const claimed = await store.claimExpired(claimant, now());
    const expiries: BudgetExpiry[] = [];
    for (const charge of claimed) {
      onClaimed(charge.id);
      let entry: LedgerEntry | undefined;
      try {
        entry = await ledger?.append(leaseExpiryEntry(charge));
      } catch (error) {
        // Claimed but not written: recoverUsage() can still bring the real cost back.
        process.emitWarning(
          `Could not record the expired budget reservation ${charge.id} (${charge.amount}) in the ledger: ${(error as Error).message}`,
          { code: 'AIAAS_BUDGET_EXPIRY' },
        );
      }
      const expiry: BudgetExpiry = Object.freeze({ charge, entry });
      expiries.push(expiry);
      for (const listener of this.listeners) {
        try {
          listener(expiry);
        } catch (error) {
          process.emitWarning(`A budget expiry listener threw: ${(error as Error).message}`);
        }
      }
    }
    return expiries;
  }
}
