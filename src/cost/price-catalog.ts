import { readFile } from 'node:fs/promises';
import { AiaasError, UnpricedModelError } from '../errors/index.js';
import {
  type PriceVersion,
  type RateCard,
  type RateCatalog,
  rateCardSchema,
  rateCatalogSchema,
} from '../wire/aiaas/rate-card-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import { type CostBreakdown, priceUsage } from './cost-calculator.js';
import { type LitellmImportOptions, rateCatalogFromLitellm } from './litellm-price-import.js';
import { type MatchKind, ModelNameMatcher } from './model-name-matcher.js';
import { importServerPricing, type ServerPricingImportOptions } from './server-pricing-import.js';
import type { Usage } from './usage.js';

/** What to do with a model that has no card: `block` throws {@link UnpricedModelError}; a card prices it. */
export type UnpricedFallback = 'block' | { card: RateCard | string };

export interface PriceCatalogOptions {
  /** Default `block`: an unpriced model is an error, never a silent zero. */
  fallback?: UnpricedFallback;
}

/** A card resolved for one model at one instant. */
export interface ModelPrice {
  /** The name asked for. */
  model: string;
  card: RateCard;
  /** The card's currency (or the catalog's). */
  currency: string;
  /** The version in force at the instant asked for. */
  price: PriceVersion;
  effectiveFrom: Date;
  matchedBy: MatchKind | 'fallback';
}

/** A call's cost with where its price came from. */
export interface ModelCost extends CostBreakdown {
  model: string;
  cardId: string;
  currency: string;
  effectiveFrom: Date;
  matchedBy: MatchKind | 'fallback';
}

interface LoadedCard {
  card: RateCard;
  currency: string;
  /** Versions by `effectiveFrom`, oldest first; old prices are kept for old calls. */
  versions: { from: number; price: PriceVersion }[];
}

/**
 * Versioned rate cards, looked up by model name at the instant of a call.
 *
 * @example
 * const catalog = PriceCatalog.fromObject({ currency: 'USD', cards: [{ id: 'openai/gpt-4o',
 *   aliases: ['gpt-4o'], patterns: ['gpt-4o-2024-*'],
 *   prices: [{ effectiveFrom: '2024-08-06', inputPerMillionTokens: '2.50', outputPerMillionTokens: '10' }] }] });
 * const { total } = catalog.cost('gpt-4o-2024-08-06', makeUsage({ inputTokens: 1000, outputTokens: 200 }));
 * total.toDecimalString(); // '0.0045'
 */
export class PriceCatalog {
  // A class that refers to itself is renamed by the bundler (`_PriceCatalog`); its name is part of the API.
  static {
    Object.defineProperty(PriceCatalog, 'name', { value: 'PriceCatalog' });
  }

  private readonly matcher = new ModelNameMatcher<LoadedCard>();
  private readonly cards: LoadedCard[] = [];
  private readonly fallback: LoadedCard | 'block';
  private readonly catalog: RateCatalog;

  private constructor(catalog: RateCatalog, options: PriceCatalogOptions) {
    this.catalog = catalog;
    catalog.cards.forEach((card, index) => {
      const loaded = loadCard(card, catalog.currency, `cards.${index}`);
      this.cards.push(loaded);
      this.matcher.addName(card.id, loaded, 'id', `cards.${index}`);
      for (const alias of card.aliases ?? []) this.matcher.addName(alias, loaded, 'alias', `cards.${index}`);
      for (const pattern of card.patterns ?? []) this.matcher.addPattern(pattern, loaded);
    });
    this.fallback = this.resolveFallback(options.fallback ?? 'block');
  }

  /**
   * Validates a catalog object (see {@link rateCatalogSchema}).
   *
   * @example
   * PriceCatalog.fromObject(json, { fallback: { card: 'default' } });
   */
  static fromObject(value: unknown, options: PriceCatalogOptions = {}): PriceCatalog {
    return new PriceCatalog(
      parseWire(rateCatalogSchema, value, { subject: 'request', what: 'price catalog' }),
      options,
    );
  }

  /**
   * Reads a JSON catalog file.
   *
   * @example
   * const catalog = await PriceCatalog.fromFile('./prices.json');
   */
  static async fromFile(path: string, options: PriceCatalogOptions = {}): Promise<PriceCatalog> {
    const text = await readFile(path, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new AiaasError(`Price catalog ${path} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return PriceCatalog.fromObject(value, options);
  }

  /**
   * Imports litellm's `model_prices_and_context_window.json` (see {@link rateCatalogFromLitellm}).
   *
   * @example
   * const catalog = PriceCatalog.fromLitellm(JSON.parse(await readFile('model_prices_and_context_window.json', 'utf8')));
   */
  static fromLitellm(json: unknown, options: LitellmImportOptions & PriceCatalogOptions = {}): PriceCatalog {
    return PriceCatalog.fromObject(rateCatalogFromLitellm(json, options), options);
  }

  /**
   * Imports the reference server's `GET /v1/pricing` body. A model it does not name is priced by
   * its `default_model`, as the server bills it (a tenant's deployed and fine-tuned models), unless
   * `fallback` says otherwise; with no `default_model` it is unpriced.
   *
   * @example
   * const catalog = PriceCatalog.fromServerPricing(await (await fetch(`${server.url}/v1/pricing`)).json());
   */
  static fromServerPricing(
    json: unknown,
    options: ServerPricingImportOptions & PriceCatalogOptions = {},
  ): PriceCatalog {
    const { catalog, defaultCard } = importServerPricing(json, options);
    const fallback = options.fallback ?? (defaultCard === undefined ? 'block' : { card: defaultCard });
    return PriceCatalog.fromObject(catalog, { ...options, fallback });
  }

  /** The canonical ids of every card. */
  modelIds(): string[] {
    return this.cards.map((loaded) => loaded.card.id);
  }

  /** The catalog as a plain object that {@link PriceCatalog.fromObject} reads back (e.g. to save an import). */
  toObject(): RateCatalog {
    return structuredClone(this.catalog);
  }

  /**
   * The card and price version for a model at an instant (default now).
   * Throws {@link UnpricedModelError} when no card matches (or none was in force yet) and the fallback is `block`.
   */
  priceOf(model: string, at: Date = new Date()): ModelPrice {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new AiaasError(`A price lookup for "${model}" needs a valid Date, got ${String(at)}.`);
    }
    const match = this.matcher.match(model);
    const version = match && versionAt(match.value, at);
    if (match && version) return describe(model, match.value, version, match.kind);
    if (this.fallback !== 'block') {
      const fallbackVersion = versionAt(this.fallback, at);
      if (fallbackVersion) return describe(model, this.fallback, fallbackVersion, 'fallback');
    }
    throw new UnpricedModelError(model, { code: match ? 'price_not_yet_effective' : 'unpriced_model' });
  }

  /**
   * Prices a call's usage with the version in force at `at` (default now).
   *
   * @example
   * catalog.cost('gpt-4o', usage, new Date('2024-09-01')).lines; // one line per charged bucket
   */
  cost(model: string, usage: Usage, at: Date = new Date()): ModelCost {
    const price = this.priceOf(model, at);
    return {
      ...priceUsage(price.price, price.currency, usage),
      model,
      cardId: price.card.id,
      currency: price.currency,
      effectiveFrom: price.effectiveFrom,
      matchedBy: price.matchedBy,
    };
  }

  private resolveFallback(fallback: UnpricedFallback): LoadedCard | 'block' {
    if (fallback === 'block') return 'block';
    if (typeof fallback.card === 'string') {
      const named = this.matcher.match(fallback.card);
      if (!named || named.kind === 'pattern') {
        throw new AiaasError(`The fallback card "${fallback.card}" is not in the price catalog.`);
      }
      return named.value;
    }
    const card = parseWire(rateCardSchema, fallback.card, { subject: 'request', what: 'fallback rate card' });
    return loadCard(card, this.catalog.currency, 'fallback.card');
  }
}

function loadCard(card: RateCard, defaultCurrency: string | undefined, path: string): LoadedCard {
  const currency = card.currency ?? defaultCurrency;
  if (currency === undefined) {
    throw new AiaasError(`Rate card "${card.id}" (${path}) has no currency and the catalog sets none.`);
  }
  const versions = card.prices
    .map((price) => ({ from: Date.parse(price.effectiveFrom), price }))
    .sort((left, right) => left.from - right.from);
  for (let index = 1; index < versions.length; index += 1) {
    if (versions[index]?.from === versions[index - 1]?.from) {
      throw new AiaasError(
        `Rate card "${card.id}" (${path}) has two prices effective from the same instant.`,
      );
    }
  }
  return { card, currency, versions };
}

function versionAt(loaded: LoadedCard, at: Date): PriceVersion | undefined {
  let found: PriceVersion | undefined;
  for (const version of loaded.versions) {
    if (version.from <= at.getTime()) found = version.price;
  }
  return found;
}

function describe(
  model: string,
  loaded: LoadedCard,
  price: PriceVersion,
  matchedBy: ModelPrice['matchedBy'],
) {
  return {
    model,
    card: loaded.card,
    currency: loaded.currency,
    price,
    effectiveFrom: new Date(Date.parse(price.effectiveFrom)),
    matchedBy,
  };
}
