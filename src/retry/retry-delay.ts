/** Exponential backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** The ceiling of the first retry's delay; doubles with each attempt. Default 500. */
  readonly baseDelay?: number;
  /** No backoff delay is longer than this. Default 8 000. */
  readonly maxDelay?: number;
}

export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 8_000;

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`\`${name}\` must be a finite number of milliseconds ≥ 0, got ${value}.`);
  }
  return value;
}

/**
 * The delay before the retry that follows failed attempt `attempt` (1-based): "full jitter",
 * a uniform pick in [0, min(maxDelay, baseDelay × 2^(attempt − 1))]. Full jitter spreads the
 * retries of many clients that failed together, so they do not come back in lock-step.
 *
 * @example
 * backoffDelay(3, Math.random, { baseDelay: 500, maxDelay: 8_000 }); // somewhere in [0, 2 000]
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const baseDelay = nonNegative('baseDelay', options.baseDelay ?? DEFAULT_BASE_DELAY_MS);
  const maxDelay = nonNegative('maxDelay', options.maxDelay ?? DEFAULT_MAX_DELAY_MS);
  // The exponent stops at 1000: 2 ** 1024 is Infinity, and 0 × Infinity (a zero base) is NaN.
  const ceiling = Math.min(maxDelay, baseDelay * 2 ** Math.min(1000, Math.max(0, attempt - 1)));
  const draw = random();
  // An injected random source may stray outside [0, 1); clamping keeps the cap a guarantee.
  const fraction = Number.isFinite(draw) ? Math.min(1, Math.max(0, draw)) : 0;
  return Math.min(ceiling, fraction * ceiling);
}

/** `retry-after-ms`: a non-negative number of milliseconds (an OpenAI/Azure extension). */
function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** `retry-after` (RFC 9110): delay-seconds, or an HTTP-date that is turned into a delay from `now`. */
function parseRetryAfter(value: string | undefined, now: () => number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  // A date in the past means "now": the server's clock may simply be ahead of ours.
  return Math.max(0, at - now());
}

/**
 * The delay the server asked for, in milliseconds: `retry-after-ms` first, then `retry-after`
 * (seconds or an HTTP date relative to `now`). Undefined when neither is present and valid.
 * Headers are looked up by lower-case name, as aiaas errors store them.
 *
 * @example
 * serverRetryDelay({ 'retry-after': '2' }); // 2000
 * serverRetryDelay({ 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }, () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')); // 10000
 */
export function serverRetryDelay(
  headers: Readonly<Record<string, string>> | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (headers === undefined) return undefined;
  return parseRetryAfterMs(headers['retry-after-ms']) ?? parseRetryAfter(headers['retry-after'], now);
}
