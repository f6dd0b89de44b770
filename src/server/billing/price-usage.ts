import { Money } from '../../cost/money.js';
import type { MeteredUsage } from './metered-usage.js';
import type { RateCard } from './rate-card.js';

/**
 * The exact cost of one attempt's usage under the card's rates for `model`. Each charge is
 * `quantity × rate / per`, rounded once (half-even) at Money's 1e-12 scale, then summed: the
 * same rule as the SDK's cost calculator, so a client pricing from `/v1/pricing` gets the
 * same amount to the last unit. Charges the model has no rate for are not billed.
 * Throws `UnpricedModelError` for a model the card does not price.
 *
 * @example
 * priceUsage(RateCard.default(), 'ref-chat', { inputTokens: 1000, outputTokens: 2000, computeMs: 40,
 *   bytesIn: 300, bytesOut: 900, tensorElements: 0, requests: 1 }).toDecimalString(); // '0.0035'
 */
export function priceUsage(card: RateCard, model: string, usage: MeteredUsage): Money {
  const pricing = card.pricingFor(model);
  const charges: [rate: string | undefined, quantity: number, per: bigint, field: keyof MeteredUsage][] = [
    [pricing.per_token?.input_per_million, usage.inputTokens, 1_000_000n, 'inputTokens'],
    [pricing.per_token?.output_per_million, usage.outputTokens, 1_000_000n, 'outputTokens'],
    [pricing.per_compute_second, usage.computeMs, 1000n, 'computeMs'],
    [pricing.per_mb_in, usage.bytesIn, 1_000_000n, 'bytesIn'],
    [pricing.per_mb_out, usage.bytesOut, 1_000_000n, 'bytesOut'],
    [pricing.per_1k_tensor_elements, usage.tensorElements, 1000n, 'tensorElements'],
    [pricing.per_request, usage.requests, 1n, 'requests'],
  ];
  let total = Money.zero(card.currency);
  for (const [rate, quantity, per, field] of charges) {
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      throw new RangeError(`usage.${field} must be a non-negative integer, got ${quantity}.`);
    }
    if (rate === undefined || quantity === 0) continue;
    total = total.plus(Money.fromRate({ rate, quantity: BigInt(quantity), per, currency: card.currency }));
  }
  return total;
}
