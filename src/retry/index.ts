export type { RetryStopReason } from '../errors/aiaas-error.js';
export { abortableSleep, type Sleep } from './abortable-sleep.js';
export {
  DEFAULT_IDEMPOTENCY_HEADER,
  idempotencyHeaders,
  needsIdempotencyKey,
  resolveIdempotencyKey,
} from './idempotency-key.js';
export {
  classifyForRetry,
  type RetryClassification,
  type StreamProgressHint,
  serverPacingDelay,
} from './retry-classifier.js';
export {
  type BackoffOptions,
  backoffDelay,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  serverRetryDelay,
} from './retry-delay.js';
export type { AttemptContext, RetryEvent, RetryOptions } from './retry-options.js';
export {
  DEFAULT_MAX_RETRY_DELAY_MS,
  type DefaultRetryPolicyOptions,
  defaultRetryPolicy,
  type PolicyStopReason,
  type RetryDecision,
  type RetryPolicy,
} from './retry-policy.js';
export { RetryThrottle, type RetryThrottleOptions, RetryThrottleRegistry } from './retry-throttle.js';
export { runWithRetry } from './run-with-retry.js';
