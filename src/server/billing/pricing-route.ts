import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import type { RateCard } from './rate-card.js';

/**
 * `GET /v1/pricing`: the rate card the server bills by, in the shape the SDK reads with
 * `PriceCatalog.fromServerPricing`: every model on the card plus every served model the
 * card's `default_model` covers (repository models), so a client can price any call it can
 * make. Public, like a provider's price list.
 *
 * @example
 * const routes = [pricingRoute(card, () => registry.names())];
 */
export function pricingRoute(card: RateCard, servedModels: () => readonly string[]): Route {
  return {
    method: 'GET',
    path: '/v1/pricing',
    public: true,
    async handle() {
      return jsonResponse(card.toPricingJson(servedModels()));
    },
  };
}
