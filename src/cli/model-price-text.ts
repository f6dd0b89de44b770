import type { ServerModelPricing } from '../wire/aiaas/server-pricing-schemas.js';

/**
 * A model's rates in one short line, money as the card's decimal strings (never a float).
 *
 * @example
 * modelPriceText({ per_request: '0.001', per_hour_deployed: '3.60' }, 'USD');
 * // 'USD 0.001/request, USD 3.60/hour deployed'
 */
export function modelPriceText(pricing: ServerModelPricing, currency: string): string {
  const parts: string[] = [];
  const add = (rate: string | undefined, unit: string) => {
    if (rate !== undefined) parts.push(`${currency} ${rate}/${unit}`);
  };
  add(pricing.per_token?.input_per_million, 'M input tokens');
  add(pricing.per_token?.output_per_million, 'M output tokens');
  add(pricing.per_compute_second, 'compute second');
  add(pricing.per_mb_in, 'MB in');
  add(pricing.per_mb_out, 'MB out');
  add(pricing.per_1k_tensor_elements, '1k tensor elements');
  add(pricing.per_request, 'request');
  add(pricing.per_hour_deployed, 'hour deployed');
  return parts.join(', ');
}
