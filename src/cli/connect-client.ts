import { AiaasClient } from '../client/aiaas-client.js';
import type { AiaasClientOptions } from '../client/aiaas-client-options.js';
import { CliUsageError } from './cli-io.js';
import { providerFlag } from './parse-command-line.js';

export interface ConnectionFlags {
  'base-url'?: string | undefined;
  'api-key'?: string | undefined;
  provider?: string | undefined;
}

/**
 * A client from the shared flags, falling back to `AIAAS_BASE_URL` / `AIAAS_API_KEY` as the SDK
 * does; `extra` adds what one command needs (e.g. `pricing`).
 *
 * @example
 * const client = connectClient(values, { pricing: 'server' });
 */
export function connectClient(flags: ConnectionFlags, extra: AiaasClientOptions = {}): AiaasClient {
  const baseURL = flags['base-url'] ?? process.env.AIAAS_BASE_URL;
  if (baseURL === undefined || baseURL === '') {
    throw new CliUsageError(
      'no server to call: pass --base-url or set AIAAS_BASE_URL (e.g. from `aiaas serve`).',
    );
  }
  const apiKey = flags['api-key'] ?? process.env.AIAAS_API_KEY;
  return new AiaasClient({
    ...extra,
    baseURL,
    provider: providerFlag(flags.provider),
    // A local reference server in development mode takes no key; `null` says so explicitly.
    apiKey: apiKey === undefined || apiKey === '' ? null : apiKey,
  });
}
