export { formatResetDuration } from './reset-duration.js';
export {
  type RateLimitDecision,
  TokenBucketRateLimiter,
  type TokenBucketRateLimiterOptions,
} from './token-bucket-rate-limiter.js';
