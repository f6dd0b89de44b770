import type { PriceVersion, RateCard, RateCatalog } from '../wire/aiaas/rate-card-schemas.js';
import { serverPricingSchema } from '../wire/aiaas/server-pricing-schemas.js';
import { parseWire } from '../wire/validate-wire.js';

export interface ServerPricingImportOptions {
  /** Recorded on every card. Default `aiaas server /v1/pricing`. */
  source?: string;
}

/** Converts a `GET /v1/pricing` body into a catalog object; the body is validated first. */
export function rateCatalogFromServerPricing(
  json: unknown,
  options: ServerPricingImportOptions = {},
): RateCatalog {
  const pricing = parseWire(serverPricingSchema, json, { subject: 'response', what: 'server pricing' });
  const cards: RateCard[] = Object.entries(pricing.models).map(([id, model]) => {
    const price: PriceVersion = { effectiveFrom: pricing.effective_from };
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
    return { id, source: options.source ?? 'aiaas server /v1/pricing', prices: [price] };
  });
  return { currency: pricing.currency, cards };
}
