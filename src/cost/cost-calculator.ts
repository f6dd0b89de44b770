import type { PriceField, PriceVersion, TokenTier } from '../wire/aiaas/rate-card-schemas.js';
import { Money } from './money.js';
import { type Provenance, totalInputTokens, type Usage, type UsageBucket } from './usage.js';

/** One priced bucket of a call. */
export interface CostLine {
  bucket: UsageBucket;
  quantity: number;
  /** The rate as written in the card, a decimal string per `per`. */
  rate: string;
  /** The unit the rate is per, e.g. `1000000 tokens`, `1000 ms`, `1000000 bytes`. */
  per: string;
  amount: Money;
  provenance: Provenance;
}

/** What a call cost, line by line; `total` is the exact sum of the lines. */
export interface CostBreakdown {
  total: Money;
  lines: CostLine[];
  /** The tier applied (its `aboveInputTokens`), or null for the base rates. */
  tierAboveInputTokens: number | null;
}

type TokenRateField = Exclude<keyof TokenTier, 'aboveInputTokens'>;

interface BucketPricing {
  /** Rate fields tried in order: a cache read without its own rate is priced as input. */
  fields: readonly PriceField[];
  per: bigint;
  unit: string;
}

const BUCKET_PRICING: Record<UsageBucket, BucketPricing> = {
  inputTokens: { fields: ['inputPerMillionTokens'], per: 1_000_000n, unit: 'tokens' },
  cacheReadTokens: {
    fields: ['cacheReadPerMillionTokens', 'inputPerMillionTokens'],
    per: 1_000_000n,
    unit: 'tokens',
  },
  cacheWriteTokens: {
    fields: ['cacheWritePerMillionTokens', 'inputPerMillionTokens'],
    per: 1_000_000n,
    unit: 'tokens',
  },
  outputTokens: { fields: ['outputPerMillionTokens'], per: 1_000_000n, unit: 'tokens' },
  reasoningTokens: {
    fields: ['reasoningPerMillionTokens', 'outputPerMillionTokens'],
    per: 1_000_000n,
    unit: 'tokens',
  },
  computeMs: { fields: ['perComputeSecond'], per: 1000n, unit: 'ms' },
  bytesIn: { fields: ['perMegabyteIn'], per: 1_000_000n, unit: 'bytes' },
  bytesOut: { fields: ['perMegabyteOut'], per: 1_000_000n, unit: 'bytes' },
  tensorElements: { fields: ['perThousandTensorElements'], per: 1000n, unit: 'tensor elements' },
  requests: { fields: ['perRequest'], per: 1n, unit: 'request' },
  deployedSeconds: { fields: ['perHourDeployed'], per: 3600n, unit: 'seconds' },
  trainedExamples: { fields: ['perThousandTrainedExamples'], per: 1000n, unit: 'trained examples' },
};

/** The tier a request falls in: the highest threshold its total input tokens exceed. */
export function tierFor(price: PriceVersion, inputTokens: number): TokenTier | undefined {
  let chosen: TokenTier | undefined;
  for (const tier of price.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens && (!chosen || tier.aboveInputTokens > chosen.aboveInputTokens)) {
      chosen = tier;
    }
  }
  return chosen;
}

/**
 * Prices usage with one price version. Each line is rounded once (half-even) at Money's
 * 1e-12 scale; the total is the exact sum of the lines. Buckets the card has no rate for are
 * not charged: the card declares what the provider bills.
 */
export function priceUsage(price: PriceVersion, currency: string, usage: Usage): CostBreakdown {
  const tier = tierFor(price, totalInputTokens(usage));
  const rates: Partial<Record<PriceField, string | undefined>> = { ...price };
  if (tier) {
    for (const [field, rate] of Object.entries(tier) as [TokenRateField | 'aboveInputTokens', unknown][]) {
      if (field !== 'aboveInputTokens' && typeof rate === 'string') rates[field] = rate;
    }
  }
  const lines: CostLine[] = [];
  let total = Money.zero(currency);
  for (const [bucket, pricing] of Object.entries(BUCKET_PRICING) as [UsageBucket, BucketPricing][]) {
    const { value: quantity, provenance } = usage[bucket];
    const field = pricing.fields.find((candidate) => rates[candidate] !== undefined);
    const rate = field === undefined ? undefined : rates[field];
    if (quantity === 0 || rate === undefined) continue;
    const amount = Money.fromRate({ rate, quantity: BigInt(quantity), per: pricing.per, currency });
    lines.push({ bucket, quantity, rate, per: `${pricing.per} ${pricing.unit}`, amount, provenance });
    total = total.plus(amount);
  }
  return { total, lines, tierAboveInputTokens: tier?.aboveInputTokens ?? null };
}
