import type { AiaasClient } from '../client/aiaas-client.js';
import { joinUrl } from '../providers/base-provider.js';
import { type ServerPricing, serverPricingSchema } from '../wire/aiaas/server-pricing-schemas.js';

/** Where the client's `pricing: 'server'` loads the rate card: the openai base URL already ends in /v1. */
function pricingUrl(client: AiaasClient): string {
  return client.providerName === 'openai'
    ? joinUrl(client.baseURL, 'pricing')
    : joinUrl(client.baseURL, 'v1/pricing');
}

function authorization(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
}

/**
 * The server's rate card (`GET /v1/pricing`), or undefined when it publishes none or answers
 * something else: a listing shows "-" for the price rather than failing.
 *
 * @example
 * const pricing = await fetchServerPricing(client, apiKey);
 */
export async function fetchServerPricing(
  client: AiaasClient,
  apiKey: string | undefined,
): Promise<ServerPricing | undefined> {
  try {
    const response = await fetch(pricingUrl(client), {
      headers: authorization(apiKey),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const parsed = serverPricingSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the server publishes a rate card (`GET /v1/pricing`, as aiaas/server does). Only a
 * 404 means "no pricing": any other failure (a refused connection, a 500) answers true, so the
 * client's own call then fails with its typed error instead of this probe's.
 *
 * @example
 * const priced = await publishesPricing(client, apiKey);
 */
export async function publishesPricing(client: AiaasClient, apiKey: string | undefined): Promise<boolean> {
  try {
    const response = await fetch(pricingUrl(client), {
      headers: authorization(apiKey),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.status !== 404;
  } catch {
    return true;
  }
}

/** A model's rates on the server's card (its own, else the card's default), or undefined when unpriced. */
export function serverRatesOf(
  model: string,
  pricing: ServerPricing,
): ServerPricing['models'][string] | undefined {
  return (
    pricing.models[model] ?? (pricing as { default_model?: ServerPricing['models'][string] }).default_model
  );
}
