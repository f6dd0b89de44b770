import type { AiaasClientOptions } from '../../src/client/aiaas-client-options.js';
import { type ReferenceServerFixture, useReferenceServer } from '../../src/testing/use-reference-server.js';
import { parseServerUsage, type ServerUsageList } from '../../src/wire/aiaas/server-usage-schemas.js';

/** The key the suite's reference servers accept. */
export const testApiKey = 'sk-test';

/**
 * The suite's usual reference server (seed 42, key `sk-test`) through `aiaas/testing`, so test
 * files do not each start and close one by hand; `client()` gets `logLevel: 'off'` and `defaults`.
 *
 * @example
 * const reference = useTestReferenceServer({ pricing: 'server' });
 * it('calls', async () => { await reference.client().chat.completions.create(params); });
 */
export function useTestReferenceServer(defaults: AiaasClientOptions = {}): ReferenceServerFixture {
  return useReferenceServer({ seed: 42, apiKey: testApiKey, client: { logLevel: 'off', ...defaults } });
}

/** The test key's bill: the server's `GET /v1/usage`, validated. */
export async function fetchServerUsage(url: string): Promise<ServerUsageList> {
  const response = await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${testApiKey}` } });
  return parseServerUsage(await response.json());
}
