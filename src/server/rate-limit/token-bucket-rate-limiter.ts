import { formatResetDuration } from './reset-duration.js';
import { TokenBucket } from './token-bucket.js';

export interface TokenBucketRateLimiterOptions {
  /** Requests per minute per tenant; undefined means no request limit. */
  requestsPerMinute?: number;
  /** Tokens per minute per tenant; undefined means no token limit. */
  tokensPerMinute?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The answer to one {@link TokenBucketRateLimiter.check}. */
export interface RateLimitDecision {
  allowed: boolean;
  /** How long to wait before the same request would be allowed; 0 when allowed. */
  retryAfterMs: number;
  /**
   * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for each configured limit (send them
   * on every answer), and on refusal `retry-after` (whole seconds, rounded up) and `retry-after-ms`.
   * `reset` is the time until the bucket is full again, in OpenAI's style (`1s`, `250ms`, `6m0s`).
   */
  headers: Record<string, string>;
  /** Tokens taken from the bucket for this request; pass it to `commitTokens` with the real count. */
  reservedTokens: number;
}

interface TenantBuckets {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;
}

// Forgetting a full bucket changes nothing, so past this many tenants the full ones are dropped.
const pruneThreshold = 10_000;

function checkLimit(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1 || value > 1e9)) {
    throw new RangeError(`${name} must be an integer from 1 to 1e9, got ${value}.`);
  }
  return value;
}

/**
 * Per-tenant rate limits as two continuously refilling token buckets: requests per minute and
 * tokens per minute. A request is let in when both have room for it; its estimated tokens are
 * taken up front and corrected by {@link commitTokens} once the real count is known, so a long
 * generation is paid for even though nobody knew its length at admission.
 *
 * A request estimated above the whole tokens-per-minute budget is admitted when the bucket is
 * full (it takes the whole bucket): refusing it would be a 429 that no amount of waiting fixes.
 *
 * @example
 * const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 60, tokensPerMinute: 10_000 });
 * const decision = limiter.check(context.tenant.id, 500);
 * if (!decision.allowed) throw new HttpError(429, 'Rate limit reached.', { headers: decision.headers });
 * // ... after the response:
 * limiter.commitTokens(context.tenant.id, actualTokens, decision.reservedTokens);
 */
export class TokenBucketRateLimiter {
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  readonly #now: () => number;
  readonly #tenants = new Map<string, TenantBuckets>();

  constructor(options: TokenBucketRateLimiterOptions = {}) {
    this.requestsPerMinute = checkLimit(options.requestsPerMinute, 'requestsPerMinute');
    this.tokensPerMinute = checkLimit(options.tokensPerMinute, 'tokensPerMinute');
    this.#now = options.now ?? Date.now;
  }

  /** Admits or refuses one request of `tenant` expected to use `estimatedTokens`; admitting takes from the buckets. */
  check(tenant: string, estimatedTokens: number): RateLimitDecision {
    const now = this.#now();
    const buckets = this.#bucketsOf(tenant, now);
    const wanted = Number.isFinite(estimatedTokens) ? Math.max(0, Math.ceil(estimatedTokens)) : 0;
    const reservedTokens = buckets.tokens === undefined ? 0 : Math.min(wanted, buckets.tokens.limitPerMinute);
    const retryAfterMs = Math.max(
      buckets.requests?.waitFor(1, now) ?? 0,
      buckets.tokens?.waitFor(reservedTokens, now) ?? 0,
    );
    if (retryAfterMs > 0) {
      const headers = this.#limitHeaders(buckets, now);
      headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
      headers['retry-after-ms'] = String(retryAfterMs);
      return { allowed: false, retryAfterMs, headers, reservedTokens: 0 };
    }
    buckets.requests?.take(1, now);
    buckets.tokens?.take(reservedTokens, now);
    return { allowed: true, retryAfterMs: 0, headers: this.#limitHeaders(buckets, now), reservedTokens };
  }

  /**
   * Settles a request's tokens: takes `actualTokens - reservedTokens` more (or gives back the
   * difference). Going over the budget leaves a debt that later requests wait out.
   */
  commitTokens(tenant: string, actualTokens: number, reservedTokens = 0): void {
    const now = this.#now();
    const bucket = this.#bucketsOf(tenant, now).tokens;
    if (bucket === undefined || !Number.isFinite(actualTokens)) return;
    bucket.take(Math.max(0, Math.ceil(actualTokens)) - reservedTokens, now);
  }

  /** The current `x-ratelimit-*` headers of a tenant, without taking anything. */
  headers(tenant: string): Record<string, string> {
    const now = this.#now();
    return this.#limitHeaders(this.#bucketsOf(tenant, now), now);
  }

  #bucketsOf(tenant: string, now: number): TenantBuckets {
    let buckets = this.#tenants.get(tenant);
    if (buckets === undefined) {
      if (this.#tenants.size >= pruneThreshold) this.#pruneFull(now);
      buckets = {
        requests:
          this.requestsPerMinute === undefined ? undefined : new TokenBucket(this.requestsPerMinute, now),
        tokens: this.tokensPerMinute === undefined ? undefined : new TokenBucket(this.tokensPerMinute, now),
      };
      this.#tenants.set(tenant, buckets);
    }
    return buckets;
  }

  #pruneFull(now: number): void {
    for (const [tenant, buckets] of this.#tenants) {
      if ((buckets.requests?.isFull(now) ?? true) && (buckets.tokens?.isFull(now) ?? true))
        this.#tenants.delete(tenant);
    }
  }

  #limitHeaders(buckets: TenantBuckets, now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, bucket] of [
      ['requests', buckets.requests],
      ['tokens', buckets.tokens],
    ] as const) {
      if (bucket === undefined) continue;
      headers[`x-ratelimit-limit-${name}`] = String(bucket.limitPerMinute);
      headers[`x-ratelimit-remaining-${name}`] = String(bucket.available(now));
      headers[`x-ratelimit-reset-${name}`] = formatResetDuration(bucket.untilFull(now));
    }
    return headers;
  }
}
