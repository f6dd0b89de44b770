import { HttpError } from '../http/http-error.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import { estimateRequestTokens } from './request-token-estimate.js';
import type { TokenBucketRateLimiter } from './token-bucket-rate-limiter.js';

/**
 * Per-tenant rate limits on model calls (POST): requests per minute and tokens per minute.
 * Every answer to a limited route carries `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`;
 * a refusal is a 429 with `retry-after`, `retry-after-ms` and an OpenAI error whose code is
 * `rate_limit_exceeded`. The tokens reserved at admission are settled against what the server
 * metered once the request's work has ended (a replayed answer metered none).
 *
 * @example
 * const interceptor = rateLimitInterceptor(new TokenBucketRateLimiter({ requestsPerMinute: 60 }));
 */
export function rateLimitInterceptor(limiter: TokenBucketRateLimiter): RequestInterceptor {
  return async (context, next) => {
    // A control request (a stream cancel) runs no model and frees capacity: never refuse it.
    if (context.method !== 'POST' || context.route.public || context.route.control === true)
      return next(context);
    const tenant = context.tenant.id;
    const estimate =
      limiter.tokensPerMinute === undefined ? 0 : estimateRequestTokens(await context.readBody());
    const decision = limiter.check(tenant, estimate);
    Object.assign(context.responseHeaders, decision.headers);
    if (!decision.allowed) {
      const seconds = (decision.retryAfterMs / 1000).toFixed(3).replace(/\.?0+$/, '');
      throw new HttpError(429, `Rate limit reached for this API key. Try again in ${seconds}s.`, {
        code: 'rate_limit_exceeded',
        headers: decision.headers,
      });
    }
    context.settlement.onSettled(() => {
      const usage = context.meter.snapshot();
      limiter.commitTokens(tenant, usage.inputTokens + usage.outputTokens, decision.reservedTokens);
    });
    return next(context);
  };
}
