import { createHash } from 'node:crypto';

/**
 * The tenant id of an API key: `key_` and the first 16 hex digits of its SHA-256. Safe to log,
 * store and return in `/v1/usage`; the key itself cannot be recovered from it.
 *
 * @example
 * tenantIdForKey('sk-test'); // 'key_' + 16 hex digits
 */
export function tenantIdForKey(apiKey: string): string {
  return `key_${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16)}`;
}
