import { z } from 'zod';
import { isDecimalString } from './decimal-string.js';

/** A decimal string of any sign, e.g. `'-0.25'`; numbers are refused so no float reaches a money path. */
export const decimalStringSchema = z
  .string()
  .refine(isDecimalString, { message: "must be a decimal string such as '2.50' (not a number)" });

/** A price: a non-negative decimal string. */
export const priceStringSchema = decimalStringSchema.refine((text) => !text.trim().startsWith('-'), {
  message: 'a price must not be negative',
});

/** An ISO 4217 currency code such as `USD`. */
export const currencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

/** `2024-08-06` (midnight UTC) or a full ISO date-time with an offset. */
export const isoInstantSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * The rates of one kind of charge. Token prices are per 1,000,000 tokens; `perComputeSecond` is
 * per second of compute; `perMegabyteIn`/`perMegabyteOut` are per MB where 1 MB = 1,000,000 bytes
 * (decimal megabytes, as providers bill); `perThousandTensorElements` per 1,000 tensor elements.
 * A cache read or write without its own rate is priced as uncached input; reasoning without its
 * own rate is priced as output.
 */
const rateFields = {
  inputPerMillionTokens: priceStringSchema.optional(),
  cacheReadPerMillionTokens: priceStringSchema.optional(),
  cacheWritePerMillionTokens: priceStringSchema.optional(),
  outputPerMillionTokens: priceStringSchema.optional(),
  reasoningPerMillionTokens: priceStringSchema.optional(),
};

/**
 * A long-context tier: when a request's total input tokens (uncached + cache read + cache write)
 * exceed `aboveInputTokens`, the tier's token rates apply to the WHOLE request, the way
 * providers price long prompts. Rates a tier leaves out keep the base rate.
 */
export const tokenTierSchema = z.strictObject({
  aboveInputTokens: z.number().int().positive(),
  ...rateFields,
});

export const priceVersionSchema = z
  .strictObject({
    /** From this instant on (inclusive) the version applies, until a later version takes over. */
    effectiveFrom: isoInstantSchema,
    ...rateFields,
    perRequest: priceStringSchema.optional(),
    perComputeSecond: priceStringSchema.optional(),
    perMegabyteIn: priceStringSchema.optional(),
    perMegabyteOut: priceStringSchema.optional(),
    perThousandTensorElements: priceStringSchema.optional(),
    /** Per hour a deployed model is READY (pay per model), billed by the second. */
    perHourDeployed: priceStringSchema.optional(),
    /** Per 1,000 examples a fine-tuning job trains on (examples × epochs). */
    perThousandTrainedExamples: priceStringSchema.optional(),
    tiers: z.array(tokenTierSchema).optional(),
  })
  .refine((version) => PRICE_FIELDS.some((field) => version[field] !== undefined), {
    message: 'a price version needs at least one rate (write "0" to declare something free)',
  });

/** One model's card: how it is named and what it costs over time. */
export const rateCardSchema = z.strictObject({
  /** The canonical name, e.g. `openai/gpt-4o`. Names match case-insensitively. */
  id: z.string().min(1),
  /** Other exact names, e.g. `gpt-4o`. */
  aliases: z.array(z.string().min(1)).optional(),
  /** Globs where `*` is any run of characters and `?` one character, e.g. `gpt-4o-2024-*`. */
  patterns: z.array(z.string().min(1)).optional(),
  /** Defaults to the catalog's `currency`. */
  currency: currencyCodeSchema.optional(),
  provider: z.string().optional(),
  /** Where the prices come from (a URL, a file, a date checked). */
  source: z.string().optional(),
  description: z.string().optional(),
  prices: z.array(priceVersionSchema).min(1),
});

/**
 * A price catalog file.
 *
 * @example
 * {
 *   "currency": "USD",
 *   "cards": [{
 *     "id": "openai/gpt-4o", "aliases": ["gpt-4o"], "patterns": ["gpt-4o-2024-*"],
 *     "source": "https://openai.com/api/pricing",
 *     "prices": [{ "effectiveFrom": "2024-08-06", "inputPerMillionTokens": "2.50",
 *                  "cacheReadPerMillionTokens": "1.25", "outputPerMillionTokens": "10.00" }]
 *   }]
 * }
 */
export const rateCatalogSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Currency of cards that do not name their own. */
  currency: currencyCodeSchema.optional(),
  cards: z.array(rateCardSchema),
});

export type TokenTier = z.infer<typeof tokenTierSchema>;
export type PriceVersion = z.infer<typeof priceVersionSchema>;
export type RateCard = z.infer<typeof rateCardSchema>;
export type RateCatalog = z.infer<typeof rateCatalogSchema>;

/** Every rate field of a price version (tiers aside). */
export const PRICE_FIELDS = [
  'inputPerMillionTokens',
  'cacheReadPerMillionTokens',
  'cacheWritePerMillionTokens',
  'outputPerMillionTokens',
  'reasoningPerMillionTokens',
  'perRequest',
  'perComputeSecond',
  'perMegabyteIn',
  'perMegabyteOut',
  'perThousandTensorElements',
  'perHourDeployed',
  'perThousandTrainedExamples',
] as const;

export type PriceField = (typeof PRICE_FIELDS)[number];
