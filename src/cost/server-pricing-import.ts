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

/** A validated `GET /v1/pricing` body as a catalog object, and the card of its `default_model` if any. */
export function importServerPricing(
  json: unknown,
  options: ServerPricingImportOptions = {},
): { catalog: RateCatalog; defaultCard: RateCard | undefined } {
  const pricing = parseWire(serverPricingSchema, json, { subject: 'response', what: 'server pricing' });
  const source = options.source ?? 'aiaas server /v1/pricing';
  const card = (id: string, model: ServerModelPricing): RateCard => ({
    id,
    source,
    prices: [priceVersionOf(model, pricing.effective_from)],
  });
  return {
    catalog: {
      currency: pricing.currency,
      cards: Object.entries(pricing.models).map(([id, model]) => card(id, model)),
    },
    // What the server bills every model it serves but does not name by (a tenant's deployed and
    // fine-tuned models).
    defaultCard:
      pricing.default_model === undefined ? undefined : card('default_model', pricing.default_model),
  };
}

/** Converts a `GET /v1/pricing` body into a catalog object; the body is validated first. */
export function rateCatalogFromServerPricing(
  json: unknown,
  options: ServerPricingImportOptions = {},
): RateCatalog {
  return importServerPricing(json, options).catalog;
}
