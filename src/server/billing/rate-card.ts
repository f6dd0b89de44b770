import { readFileSync } from 'node:fs';
import { AiaasError, UnpricedModelError } from '../../errors/index.js';
import {
  type ServerModelPricing,
  type ServerPricing,
  serverPricingSchema,
} from '../../wire/aiaas/server-pricing-schemas.js';
import { describeIssues, issuesOf } from '../../wire/validate-wire.js';
import { defaultRateCardJson } from './default-rate-card.js';

/**
 * A rate card file: exactly the `GET /v1/pricing` body, whose optional `default_model` prices any
 * served model the card does not name (models of a Triton repository, tenants' own models).
 */
export type RateCardJson = ServerPricing;

function invalid(source: string, reason: string): AiaasError {
  return new AiaasError(`Invalid rate card (${source}): ${reason}`, { code: 'invalid_rate_card' });
}

/**
 * The server's prices: one currency, one effective date, and per model any of the three
 * business models (per token, per compute-second, per data volume) plus a per-request fee.
 * Validated with the same schema the SDK reads `/v1/pricing` with, so what the server bills by
 * is exactly what it publishes. A model neither named nor covered by `default_model` is an
 * {@link UnpricedModelError}, never a silent zero.
 *
 * @example
 * const card = RateCard.fromFile('./rates.json'); // or RateCard.fromObject({...}), RateCard.default()
 * card.pricingFor('ref-chat').per_token?.output_per_million; // '1.50'
 * card.toPricingJson(['ref-chat', 'resnet']); // the GET /v1/pricing body
 */
export class RateCard {
  readonly currency: string;
  readonly effectiveFrom: string;
  readonly #models: ReadonlyMap<string, ServerModelPricing>;
  readonly #defaultModel: ServerModelPricing | undefined;

  private constructor(json: RateCardJson) {
    this.currency = json.currency;
    this.effectiveFrom = json.effective_from;
    this.#models = new Map(Object.entries(json.models));
    this.#defaultModel = json.default_model;
  }

  /** Validates a card object (e.g. a server option); `source` names it in errors. */
  static fromObject(json: unknown, source = 'object'): RateCard {
    const parsed = serverPricingSchema.safeParse(json);
    if (!parsed.success) throw invalid(source, describeIssues(issuesOf(parsed.error)));
    const { default_model: defaultModel, ...card } = parsed.data;
    return new RateCard(defaultModel === undefined ? card : { ...card, default_model: defaultModel });
  }

  /** Reads and validates a JSON card file. */
  static fromFile(path: string): RateCard {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new AiaasError(`Cannot read the rate card file ${path}: ${(error as Error).message}`, {
        code: 'invalid_rate_card',
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalid(path, `not JSON (${(error as Error).message})`);
    }
    return RateCard.fromObject(json, path);
  }

  /** The built-in card (see `defaultRateCardJson`). */
  static default(): RateCard {
    return RateCard.fromObject(structuredClone(defaultRateCardJson), 'default rate card');
  }

  /** True when the model is named on the card or covered by its default. */
  prices(model: string): boolean {
    return this.#models.has(model) || this.#defaultModel !== undefined;
  }

  /** The model's rates; throws {@link UnpricedModelError} when the card does not price it. */
  pricingFor(model: string): ServerModelPricing {
    const pricing = this.#models.get(model) ?? this.#defaultModel;
    if (pricing === undefined) throw new UnpricedModelError(model);
    return pricing;
  }

  /**
   * The `GET /v1/pricing` body: every model on the card, plus each of `servedModels` priced by
   * the default (so a client can price every model it can call), plus `default_model` itself.
   */
  toPricingJson(servedModels: Iterable<string> = []): RateCardJson {
    const models: Record<string, ServerModelPricing> = Object.fromEntries(this.#models);
    if (this.#defaultModel !== undefined) {
      for (const model of servedModels) models[model] ??= this.#defaultModel;
    }
    const body: RateCardJson = { currency: this.currency, effective_from: this.effectiveFrom, models };
    if (this.#defaultModel !== undefined) body.default_model = this.#defaultModel;
    return structuredClone(body);
  }
}
