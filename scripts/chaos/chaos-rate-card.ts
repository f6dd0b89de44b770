import { defaultRateCardJson } from '../../src/server/billing/default-rate-card.js';
import type { RateCardJson } from '../../src/server/index.js';

/**
 * The server's default card, except ref-classify: the default bills it per compute-second,
 * which the server measures and never tells the client, so no client ledger can match it.
 * Here it is billed per request and per thousand input tensor elements, both of which the
 * client counts itself. `--rate-card default` keeps the original to show the gap.
 *
 * @example
 * await startReferenceServer({ rateCard: chaosRateCard('chaos') });
 */
export function chaosRateCard(kind: 'chaos' | 'default'): RateCardJson {
  if (kind === 'default') return defaultRateCardJson;
  return {
    ...defaultRateCardJson,
    models: {
      ...defaultRateCardJson.models,
      'ref-classify': { per_request: '0.00001', per_1k_tensor_elements: '0.0001' },
    },
  };
}
