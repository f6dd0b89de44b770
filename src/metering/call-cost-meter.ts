import type { Budget, BudgetReservation } from '../cost/budget.js';
import type { Ledger } from '../cost/ledger.js';
import type { LedgerEntryInput, LedgerStatus } from '../cost/ledger-entry.js';
import type { Money } from '../cost/money.js';
import type { PriceCatalog } from '../cost/price-catalog.js';
import type { Usage } from '../cost/usage.js';

/** Everything a logical call's ledger entries share, fixed before its first byte is sent. */
export interface CallCostMeterInit {
  readonly ledger: Ledger;
  /** Undefined when no pricing is configured: entries then carry `cost: null`. */
  readonly catalog: PriceCatalog | undefined;
  readonly budget: Budget | undefined;
  /** The budget hold taken before sending (the quote's max). */
  readonly reservation: BudgetReservation | undefined;
  readonly model: string;
  readonly provider: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly apiKeyId: string | undefined;
  readonly idempotencyKey: string | undefined;
  /** When the call began: the price version in force then applies to every attempt. */
  readonly pricedAt: Date;
}

/** One attempt that may have cost money. */
export interface AttemptUsage {
  readonly attempt: number;
  readonly requestId: string | undefined;
  readonly usage: Usage;
  readonly status: LedgerStatus;
  /** What the provider charged, when its own record says; else the usage is priced from the catalog. */
  readonly cost?: Money | undefined;
}

/**
 * The cost side of one logical call: writes one ledger entry per attempt that may have cost
 * money, and settles the budget reservation with their sum when the call ends (or releases it
 * when nothing was spent). An attempt that failed with an answer (an error status) records
 * nothing: the provider did no billable work for it. One that failed after its request may have
 * reached the provider (a timeout, a broken connection, an abort) is left to
 * `UncertainCharges` (uncertain-charge.ts), which records it from the provider's billing or at the reserved maximum.
 *
 * @example
 * const meter = await costs.begin({ model, estimate }, { idempotencyKey, tags });
 * try { const cost = await meter.record({ attempt: 1, requestId, usage, status: 'ok' }); }
 * finally { await meter.finish(); }
 */
export class CallCostMeter {
  readonly #init: CallCostMeterInit;
  #spent: Money | undefined;
  #recordedAny = false;
  #finished: Promise<void> | undefined;

  constructor(init: CallCostMeterInit) {
    this.#init = init;
  }

  /**
   * Prices the attempt's usage and appends its ledger entry; returns the cost (null without
   * pricing). The cost counts toward the settlement even when the ledger fails to store the
   * entry: the money was spent either way, and the budget must not forget it.
   */
  async record(attempt: AttemptUsage): Promise<Money | null> {
    const { catalog, ledger, model, pricedAt } = this.#init;
    const cost =
      attempt.cost !== undefined
        ? attempt.cost
        : catalog === undefined
          ? null
          : catalog.cost(model, attempt.usage, pricedAt).total;
    const entry: LedgerEntryInput = {
      requestId: attempt.requestId ?? null,
      idempotencyKey: this.#init.idempotencyKey ?? null,
      attempt: attempt.attempt,
      model,
      provider: this.#init.provider,
      usage: attempt.usage,
      cost,
      tags: this.#init.tags,
      status: attempt.status,
    };
    // Set only when there is one (a conditional spread takes V8's slow path).
    if (this.#init.apiKeyId !== undefined) entry.apiKeyId = this.#init.apiKeyId;
    this.#spend(cost);
    await ledger.append(entry);
    return cost;
  }

  #spend(cost: Money | null): void {
    this.#recordedAny = true;
    if (cost !== null) this.#spent = this.#spent === undefined ? cost : this.#spent.plus(cost);
  }

  /** True once an attempt's entry was recorded (its cost counts toward the settlement). */
  get hasRecorded(): boolean {
    return this.#recordedAny;
  }

  /** The amount held before sending (the quote's max), when a budget reservation was taken. */
  get reservedAmount(): Money | undefined {
    return this.#init.reservation?.amount;
  }

  /** True when there is a budget reservation for {@link finish} to settle or release. */
  get holdsReservation(): boolean {
    return this.#init.budget !== undefined && this.#init.reservation !== undefined;
  }

  /** Settles the reservation with what was recorded, or releases it; runs once, later calls wait for it. */
  finish(): Promise<void> {
    this.#finished ??= this.#settle();
    return this.#finished;
  }

  async #settle(): Promise<void> {
    const { budget, reservation } = this.#init;
    if (budget === undefined || reservation === undefined) return;
    // Released only when nothing was recorded: a call that may have been billed is recorded first.
    if (this.#spent === undefined) await budget.release(reservation);
    else await budget.settle(reservation, this.#spent);
  }
}
