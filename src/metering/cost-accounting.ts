import type { Budget, BudgetReservation } from '../cost/budget.js';
import { budgetScopes } from '../cost/budget-limit.js';
import { type CostBounds, requireCostBounds, resolveCostBound } from '../cost/cost-bounds.js';
import type { Ledger } from '../cost/ledger.js';
import { PriceCatalog } from '../cost/price-catalog.js';
import { ValidationError } from '../errors/index.js';
import { CallCostMeter } from './call-cost-meter.js';
import { callCostRange } from './call-cost-range.js';
import type { CallMetering } from './call-middleware.js';

export interface CostAccountingOptions {
  readonly pricing: PriceCatalog | 'server' | undefined;
  readonly ledger: Ledger;
  readonly budget: Budget | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly apiKeyId: string | undefined;
  /** The provider name written on ledger entries. */
  readonly provider: string;
  /** Declared ceilings of response bytes and compute time per model (see `ClientOptions.costBounds`). */
  readonly costBounds?: CostBounds | undefined;
  /** Fetches the provider's `GET /v1/pricing` body (for `pricing: 'server'`). */
  readonly loadServerPricing: () => Promise<unknown>;
}

/**
 * The client's cost layer: pricing (loaded once when it comes from the server), the ledger,
 * the budget and the default tags. `begin` runs before a call sends anything: it fails an
 * unpriced model and reserves the budget, so both errors happen with no socket opened.
 *
 * @example
 * const meter = await costs.begin({ model: 'ref-chat', estimate: () => estimateChatCall(request) }, { idempotencyKey, tags });
 */
export class CostAccounting {
  readonly ledger: Ledger;
  readonly budget: Budget | undefined;
  /** Declared ceilings a reservation (and so a quote) prices in. */
  readonly costBounds: CostBounds | undefined;
  readonly #options: CostAccountingOptions;
  /** The client's tags, frozen once: ledger entries share a frozen object instead of copying it. */
  readonly #clientTags: Readonly<Record<string, string>>;
  #serverCatalog: Promise<PriceCatalog> | undefined;

  constructor(options: CostAccountingOptions) {
    this.#options = options;
    this.#clientTags = Object.freeze({ ...options.tags });
    this.ledger = options.ledger;
    this.budget = options.budget;
    this.costBounds = options.costBounds;
  }

  /** The price catalog, or undefined when no pricing is configured. `'server'` pricing is fetched on first use. */
  catalog(): Promise<PriceCatalog | undefined> {
    const { pricing } = this.#options;
    if (pricing === undefined || pricing instanceof PriceCatalog) return Promise.resolve(pricing);
    this.#serverCatalog ??= this.#options
      .loadServerPricing()
      .then((json) => PriceCatalog.fromServerPricing(json))
      .catch((error: unknown) => {
        // A failed load (server down) must not stick: the next call tries again.
        this.#serverCatalog = undefined;
        throw error;
      });
    return this.#serverCatalog;
  }

  /**
   * Prepares the cost side of one call: checks the model has a price (else `UnpricedModelError`)
   * and, with a budget, reserves the quote's maximum (else `BudgetExceededError`). A budgeted
   * call must cap its output (`max_tokens`): without a ceiling there is nothing to reserve.
   */
  async begin(
    metering: CallMetering,
    call: { idempotencyKey: string | undefined; tags: Readonly<Record<string, string>> | undefined },
  ): Promise<CallCostMeter> {
    const pricedAt = new Date();
    const { pricing } = this.#options;
    // A catalog given in the options (or none) is there already: no await for it.
    const catalog = pricing === undefined || pricing instanceof PriceCatalog ? pricing : await this.catalog();
    const price = catalog?.priceOf(metering.model, pricedAt);
    const tags = this.#tagsOf(call);
    const { apiKeyId } = this.#options;
    let reservation: BudgetReservation | undefined;
    if (this.budget !== undefined && catalog !== undefined) {
      const estimate = metering.estimate();
      if (estimate.maxOutputTokens === undefined) {
        const message = 'a call under a budget needs max_tokens, so its cost has a ceiling to reserve';
        throw new ValidationError(`Invalid request: max_tokens: ${message}`, {
          issues: [{ path: 'max_tokens', message }],
          subject: 'request',
        });
      }
      const scopes = budgetScopes(apiKeyId === undefined ? { tags } : { tags, apiKeyId });
      const bound = resolveCostBound(this.#options.costBounds, metering.model);
      // A hard limit fails closed: a quantity the card bills with no ceiling cannot be reserved.
      if (price !== undefined && this.#hasHardLimitFor(scopes))
        requireCostBounds(metering.model, price.price, bound, estimate.bytesIn !== undefined);
      const quote = callCostRange({
        estimate,
        maxOutputTokens: estimate.maxOutputTokens,
        catalog,
        at: pricedAt,
        costBounds: this.costBounds,
      });
      // The key lets recoverUsage() settle this hold from the provider's bill if the process dies mid-call.
      reservation = await this.budget.reserve(quote.max, scopes, {
        ...(call.idempotencyKey === undefined ? {} : { idempotencyKey: call.idempotencyKey }),
        model: metering.model,
        provider: this.#options.provider,
      });
    }
    return this.#meter(metering, call, catalog, tags, reservation, pricedAt);
  }

  #tagsOf(call: { tags: Readonly<Record<string, string>> | undefined }): Readonly<Record<string, string>> {
    return call.tags === undefined ? this.#clientTags : Object.freeze({ ...this.#clientTags, ...call.tags });
  }

  #meter(
    metering: CallMetering,
    call: { idempotencyKey: string | undefined },
    catalog: PriceCatalog | undefined,
    tags: Readonly<Record<string, string>>,
    reservation: BudgetReservation | undefined,
    pricedAt: Date,
  ): CallCostMeter {
    return new CallCostMeter({
      ledger: this.ledger,
      catalog,
      budget: this.budget,
      reservation,
      model: metering.model,
      provider: this.#options.provider,
      tags,
      apiKeyId: this.#options.apiKeyId,
      idempotencyKey: call.idempotencyKey,
      pricedAt,
    });
  }

  /** Whether a hard limit applies to a call with these scopes (`global` applies to every call). */
  #hasHardLimitFor(scopes: readonly string[]): boolean {
    return (this.budget?.limits ?? []).some(
      (limit) => limit.mode === 'hard' && (limit.scope === 'global' || scopes.includes(limit.scope)),
    );
  }
}
