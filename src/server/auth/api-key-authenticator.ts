import { hash, timingSafeEqual } from 'node:crypto';
import type { Tenant } from '../http/request-context.js';
import { tenantIdForKey } from './tenant-id.js';

// The one-shot `hash` (Node 20.12) costs half of a `createHash` object per request.
function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** The key of an `Authorization: Bearer <key>` header, or undefined when absent or of another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * Checks API keys. Only SHA-256 hashes of the configured keys are kept, and a presented key
 * is hashed and compared with every one of them by `timingSafeEqual`, so neither the
 * response time nor an early exit says how much of a key was right.
 *
 * @example
 * const authenticator = new ApiKeyAuthenticator(['sk-test']);
 * authenticator.authenticate('sk-test'); // { id: 'key_…' }
 */
export class ApiKeyAuthenticator {
  readonly #keys: { hash: Buffer; tenant: Tenant }[];

  constructor(keys: readonly string[]) {
    this.#keys = [...new Set(keys)].map((key) => ({
      hash: sha256(key),
      tenant: { id: tenantIdForKey(key) },
    }));
  }

  /** No keys configured: every request is let in (development mode). */
  get open(): boolean {
    return this.#keys.length === 0;
  }

  /** The tenant of a valid key, or undefined. */
  authenticate(key: string | undefined): Tenant | undefined {
    if (key === undefined) return undefined;
    const presented = sha256(key);
    let found: Tenant | undefined;
    for (const candidate of this.#keys) {
      if (timingSafeEqual(candidate.hash, presented)) found = candidate.tenant;
    }
    return found;
  }
}
