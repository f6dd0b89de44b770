import { startReferenceServer } from 'aiaas/server';

/** Where an example sends its calls: the server at `AIAAS_BASE_URL`, or an embedded reference server. */
export interface ExampleTarget {
  baseURL: string;
  apiKey: string | null;
  /** True when the example started its own reference server (faults and billing are then available). */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Starts an embedded `aiaas/server` on a free port, unless `AIAAS_BASE_URL` points elsewhere.
 * Examples call this first so they run offline with no setup.
 */
export async function exampleTarget(
  options: Parameters<typeof startReferenceServer>[0] = {},
): Promise<ExampleTarget> {
  const external = process.env.AIAAS_BASE_URL;
  if (external) {
    return {
      baseURL: external,
      apiKey: process.env.AIAAS_API_KEY ?? null,
      embedded: false,
      close: async () => {},
    };
  }
  const apiKey = 'sk-example';
  const server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], ...options });
  return { baseURL: server.url, apiKey, embedded: true, close: () => server.close() };
}
