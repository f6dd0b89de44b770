import type { AiaasClient } from '../client/aiaas-client.js';
import { joinUrl } from '../providers/base-provider.js';

/**
 * Whether the server publishes a rate card (`GET /v1/pricing`, as aiaas/server does). Only a
 * 404 means "no pricing": any other failure (a refused connection, a 500) answers true, so the
 * client's own call then fails with its typed error instead of this probe's.
 *
 * @example
 * const priced = await publishesPricing(client, apiKey);
 */
export async function publishesPricing(client: AiaasClient, apiKey: string | undefined): Promise<boolean> {
  // The same URL the client's `pricing: 'server'` loads: the openai base URL already ends in /v1.
  const url =
    client.providerName === 'openai'
      ? joinUrl(client.baseURL, 'pricing')
      : joinUrl(client.baseURL, 'v1/pricing');
  try {
    const response = await fetch(url, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.status !== 404;
  } catch {
    return true;
  }
}
