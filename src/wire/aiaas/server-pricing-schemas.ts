import { z } from 'zod';
import { currencyCodeSchema, isoInstantSchema, priceStringSchema } from './rate-card-schemas.js';

export const modelPricingSchema = z
  .looseObject({
    per_token: z
      .looseObject({ input_per_million: priceStringSchema, output_per_million: priceStringSchema })
      .optional(),
    per_compute_second: priceStringSchema.optional(),
    /** Per MB of request body, 1 MB = 1,000,000 bytes. */
    per_mb_in: priceStringSchema.optional(),
    /** Per MB of response body, 1 MB = 1,000,000 bytes. */
    per_mb_out: priceStringSchema.optional(),
    per_1k_tensor_elements: priceStringSchema.optional(),
    per_request: priceStringSchema.optional(),
    /** Per hour a tenant's deployed model is READY, billed by the second. */
    per_hour_deployed: priceStringSchema.optional(),
    /** Per 1,000 examples a fine-tuning job trains on, counted once per epoch. */
    per_1k_trained_examples: priceStringSchema.optional(),
  })
  .refine(
    (model) =>
      model.per_token !== undefined ||
      model.per_compute_second !== undefined ||
      model.per_mb_in !== undefined ||
      model.per_mb_out !== undefined ||
      model.per_1k_tensor_elements !== undefined ||
      model.per_request !== undefined ||
      model.per_hour_deployed !== undefined ||
      model.per_1k_trained_examples !== undefined,
    { message: 'a priced model needs at least one rate' },
  );

/**
 * The body of the reference server's `GET /v1/pricing`: one currency, one effective date, and
 * per model any of the three business models (per token, per compute-second, per data volume)
 * plus a per-request fee. Every price is a decimal string.
 *
 * @example
 * {
 *   "currency": "USD", "effective_from": "2025-01-01",
 *   "models": {
 *     "ref-chat": { "per_token": { "input_per_million": "0.50", "output_per_million": "1.50" } },
 *     "ref-classify": { "per_compute_second": "0.0004", "per_request": "0.00001" },
 *     "ref-embed": { "per_mb_in": "0.02", "per_mb_out": "0.01", "per_1k_tensor_elements": "0.000001" }
 *   }
 * }
 */
export const serverPricingSchema = z.looseObject({
  currency: currencyCodeSchema,
  effective_from: isoInstantSchema,
  models: z.record(z.string().min(1), modelPricingSchema),
  /** What the server bills any model it serves that `models` does not name (a tenant's own models). */
  default_model: modelPricingSchema.optional(),
});

export type ServerPricing = z.infer<typeof serverPricingSchema>;
export type ServerModelPricing = z.infer<typeof modelPricingSchema>;
