import { divideRounded, parseDecimal } from '../../cost/decimal.js';
import { Money } from '../../cost/money.js';
import { BILLED_BUCKETS, type BilledUsage } from '../../wire/aiaas/billed-usage.js';
import type { RateCard } from './rate-card.js';

/** One priced quantity of a model's card, its decimal rate parsed once (see {@link Money.fromRate}). */
interface ParsedCharge {
  field: keyof BilledUsage;
  /** The rate's digits, already times 10^12 (Money's scale). */
  scaledRateUnits: bigint;
  /** `10^(rate's fraction digits) × per`. */
  divisor: bigint;
}

// The card's decimal rates were parsed on every request; a card never changes once built.
const chargesByCard = new WeakMap<RateCard, Map<string, readonly ParsedCharge[]>>();

function chargesOf(card: RateCard, model: string): readonly ParsedCharge[] {
  let byModel = chargesByCard.get(card);
  if (byModel === undefined) {
    byModel = new Map();
    chargesByCard.set(card, byModel);
  }
  const cached = byModel.get(model);
  if (cached !== undefined) return cached;
  // Throws UnpricedModelError for a model the card does not price (never cached).
  const pricing = card.pricingFor(model);
  const rates: [rate: string | undefined, per: bigint, field: keyof BilledUsage][] = [
    [pricing.per_token?.input_per_million, 1_000_000n, 'inputTokens'],
    [pricing.per_token?.output_per_million, 1_000_000n, 'outputTokens'],
    [pricing.per_compute_second, 1000n, 'computeMs'],
    [pricing.per_mb_in, 1_000_000n, 'bytesIn'],
    [pricing.per_mb_out, 1_000_000n, 'bytesOut'],
    [pricing.per_1k_tensor_elements, 1000n, 'tensorElements'],
    [pricing.per_request, 1n, 'requests'],
    [pricing.per_hour_deployed, 3600n, 'deployedSeconds'],
    [pricing.per_1k_trained_examples, 1000n, 'trainedExamples'],
  ];
  const charges: ParsedCharge[] = [];
  for (const [rate, per, field] of rates) {
    if (rate === undefined) continue;
    const parsed = parseDecimal(rate, 'rate');
    charges.push({
      field,
      scaledRateUnits: parsed.units * Money.SCALE,
      divisor: 10n ** BigInt(parsed.scale) * per,
    });
  }
  byModel.set(model, charges);
  return charges;
}

/**
 * The exact cost of one attempt's usage under the card's rates for `model`. Each charge is
 * `quantity × rate / per`, rounded once (half-even) at Money's 1e-12 scale, then summed: the
 * same rule as the SDK's cost calculator (`Money.fromRate`), so a client pricing from
 * `/v1/pricing` gets the same amount to the last unit. Charges the model has no rate for are
 * not billed. Throws `UnpricedModelError` for a model the card does not price.
 *
 * @example
 * priceUsage(RateCard.default(), 'ref-chat', { inputTokens: 1000, outputTokens: 2000, computeMs: 40,
 *   bytesIn: 300, bytesOut: 900, tensorElements: 0, requests: 1 }).toDecimalString(); // '0.0035'
 */
export function priceUsage(card: RateCard, model: string, usage: BilledUsage): Money {
  const charges = chargesOf(card, model);
  for (const field of BILLED_BUCKETS) {
    const quantity = usage[field];
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      throw new RangeError(`usage.${field} must be a non-negative integer, got ${quantity}.`);
    }
  }
  let units = 0n;
  for (const charge of charges) {
    const quantity = usage[charge.field];
    if (quantity === 0) continue;
    units += divideRounded(charge.scaledRateUnits * BigInt(quantity), charge.divisor);
  }
  return Money.fromUnits(units, card.currency);
}
