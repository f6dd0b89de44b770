import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a request body, optionally bound to the route it was sent to, so that
 * one Idempotency-Key reused for another endpoint with the same body is still a conflict.
 *
 * @example
 * bodyFingerprint(Buffer.from('{"model":"ref-chat"}'), 'POST /v1/chat/completions'); // '3f1c…' (64 hex digits)
 */
export function bodyFingerprint(body: Buffer, route?: string): string {
  const hash = createHash('sha256');
  // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
  if (route !== undefined) hash.update(`${Buffer.byteLength(route)}:${route}\n`, 'utf8');
  return hash.update(body).digest('hex');
}
