import type { PriceVersion, RateCard, RateCatalog } from '../wire/aiaas/rate-card-schemas.js';
import { type ServerModelPricing, serverPricingSchema } from '../wire/aiaas/server-pricing-schemas.js';
import { parseWire } from '../wire/validate-wire.js';

export interface ServerPricingImportOptions {
  /** Recorded on every card. Default `aiaas server /v1/pricing`. */
  source?: string;
}

function priceVersionOf(model: ServerModelPricing, effectiveFrom: string): PriceVersion {
  const price: PriceVersion = { effectiveFrom };
  if (model.per_token) {
    price.inputPerMillionTokens = model.per_token.input_per_million;
    price.outputPerMillionTokens = model.per_token.output_per_million;
  }
  if (model.per_compute_second !== undefined) price.perComputeSecond = model.per_compute_second;
  if (model.per_mb_in !== undefined) price.perMegabyteIn = model.per_mb_in;
  if (model.per_mb_out !== undefined) price.perMegabyteOut = model.per_mb_out;
  if (model.per_1k_tensor_elements !== undefined)
    price.perThousandTensorElements = model.per_1k_tensor_elements;
  if (model.per_request !== undefined) price.perRequest = model.per_request;
  if (model.per_hour_deployed !== undefined) price.perHourDeployed = model.per_hour_deployed;
  if (model.per_1k_trained_examples !== undefined)
    price.perThousandTrainedExamples = model.per_1k_trained_examples;
  return price;
}

function parseServerPricing(json: unknown) {
  return parseWire(serverPricingSchema, json, { subject: 'response', what: 'server pricing' });
}

/** Converts a `GET /v1/pricing` body into a catalog object; the body is validated first. */
export function rateCatalogFromServerPricing(
  json: unknown,
  options: ServerPricingImportOptions = {},
): RateCatalog {
  const pricing = parseServerPricing(json);
  const source = options.source ?? 'aiaas server /v1/pricing';
  const cards: RateCard[] = Object.entries(pricing.models).map(([id, model]) => ({
    id,
    source,
    prices: [priceVersionOf(model, pricing.effective_from)],
  }));
  return { currency: pricing.currency, cards };
}

/**
 * The card the server bills every model it serves but does not name by (`default_model`: a
 * tenant's deployed and fine-tuned models), or undefined when it bills none that way.
 *
 * @example
 * const fallback = serverDefaultRateCard(pricing); // { id: 'default_model', prices: [...] }
 */
export function serverDefaultRateCard(
  json: unknown,
  options: ServerPricingImportOptions = {},
): RateCard | undefined {
  const pricing = parseServerPricing(json);
  if (pricing.default_model === undefined) return undefined;
  return {
    id: 'default_model',
    source: options.source ?? 'aiaas server /v1/pricing',
    prices: [priceVersionOf(pricing.default_model, pricing.effective_from)],
  };
}
