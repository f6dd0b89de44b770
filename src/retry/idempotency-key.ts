import { flatRandomUuid } from './flat-random-uuid.js';

/** The header that carries the key unless the client is told another name. */
export const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';

// Safe methods (RFC 9110 §9.2.1) change nothing on the server, so repeating them cannot bill twice.
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when a call with this HTTP method needs an idempotency key (every method but GET, HEAD, OPTIONS).
 *
 * @example
 * needsIdempotencyKey('POST'); // true
 * needsIdempotencyKey('GET'); // false
 */
export function needsIdempotencyKey(method: string): boolean {
  return !safeMethods.has(method.toUpperCase());
}

/**
 * The key for one logical call: the user's own key when given, otherwise a fresh UUID v4 for a
 * method that changes state, otherwise undefined. Resolve it once per logical call and reuse it
 * on every retry and on a stream resume, so the server can recognise the repeats.
 *
 * @example
 * const idempotencyKey = resolveIdempotencyKey('POST', params.idempotencyKey);
 * await runWithRetry((context) => send(context.idempotencyKey), { idempotencyKey });
 */
export function resolveIdempotencyKey(method: string, userKey?: string): string | undefined {
  if (userKey !== undefined) {
    if (userKey.trim() === '') throw new TypeError('An idempotency key must not be empty.');
    return userKey;
  }
  return needsIdempotencyKey(method) ? flatRandomUuid() : undefined;
}

/**
 * The header to send for a call: `{ [headerName]: key }` for a method that changes state and
 * has a key, otherwise `{}` (a GET carries no key, even one given by mistake).
 *
 * @example
 * const headers = { ...baseHeaders, ...idempotencyHeaders('POST', context.idempotencyKey) };
 */
export function idempotencyHeaders(
  method: string,
  key: string | undefined,
  headerName: string = DEFAULT_IDEMPOTENCY_HEADER,
): Record<string, string> {
  if (key === undefined || !needsIdempotencyKey(method)) return {};
  return { [headerName]: key };
}
