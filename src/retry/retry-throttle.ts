export interface RetryThrottleOptions {
  /** The bucket's size, and where it starts. Default 10. */
  readonly maxTokens?: number;
  /** Tokens a success puts back (a failure takes 1). Default 0.1. */
  readonly tokenRatio?: number;
}

// gRPC keeps the bucket in thousandths of a token: with floats, ten refunds of 0.1 do not make
// exactly 1, and the "above half" test would flip on a rounding error.
const scale = 1000;

/**
 * A retry token bucket, as gRPC specifies it: each failed attempt costs one token, each
 * success refunds `tokenRatio`, and retries are allowed only while more than half of
 * `maxTokens` remain. When a provider fails for everyone, retries stop after a few
 * failures, so clients add little load on top of their first attempts.
 *
 * @example
 * const throttle = new RetryThrottle({ maxTokens: 10, tokenRatio: 0.1 });
 * throttle.recordFailure();
 * throttle.isRetryAllowed(); // true: 9 tokens left, more than 5
 */
export class RetryThrottle {
  readonly maxTokens: number;
  readonly tokenRatio: number;
  #milliTokens: number;
  /** `maxTokens` and `tokenRatio` in thousandths, rounded once (they never change). */
  readonly #fullMilliTokens: number;
  readonly #refundMilliTokens: number;

  constructor(options: RetryThrottleOptions = {}) {
    const maxTokens = options.maxTokens ?? 10;
    const tokenRatio = options.tokenRatio ?? 0.1;
    if (!Number.isFinite(maxTokens) || maxTokens <= 0) {
      throw new RangeError(`\`maxTokens\` must be a positive number, got ${maxTokens}.`);
    }
    if (!Number.isFinite(tokenRatio) || tokenRatio <= 0) {
      throw new RangeError(`\`tokenRatio\` must be a positive number, got ${tokenRatio}.`);
    }
    this.maxTokens = maxTokens;
    this.tokenRatio = tokenRatio;
    this.#fullMilliTokens = Math.round(maxTokens * scale);
    this.#refundMilliTokens = Math.round(tokenRatio * scale);
    this.#milliTokens = this.#fullMilliTokens;
  }

  /** Tokens left, to three decimals. */
  get tokens(): number {
    return this.#milliTokens / scale;
  }

  /** A failed attempt that could have been retried: costs one token (never below zero). */
  recordFailure(): void {
    this.#milliTokens = Math.max(0, this.#milliTokens - scale);
  }

  /** A successful attempt: refunds `tokenRatio` (never above `maxTokens`). */
  recordSuccess(): void {
    const full = this.#fullMilliTokens;
    // Most calls succeed with the bucket already full: nothing to refund.
    if (this.#milliTokens >= full) return;
    this.#milliTokens = Math.min(full, this.#milliTokens + this.#refundMilliTokens);
  }

  /** True while more than half the bucket is left. */
  isRetryAllowed(): boolean {
    return this.#milliTokens * 2 > this.#fullMilliTokens;
  }
}

/**
 * One {@link RetryThrottle} per origin, created on first use. A client keeps one registry, so
 * all its calls to a provider share that provider's bucket, and a failing provider does not
 * stop retries to another.
 *
 * @example
 * const registry = new RetryThrottleRegistry({ maxTokens: 10 });
 * const throttle = registry.for('https://api.example.com/v1/chat/completions'); // keyed by origin
 */
export class RetryThrottleRegistry {
  readonly #options: RetryThrottleOptions;
  readonly #throttles = new Map<string, RetryThrottle>();

  constructor(options: RetryThrottleOptions = {}) {
    // Validate now, not on the first call to some origin.
    new RetryThrottle(options);
    this.#options = options;
  }

  /** The throttle of `urlOrOrigin`'s origin (scheme, host, port); a string that is not a URL is used as is. */
  for(urlOrOrigin: string): RetryThrottle {
    const origin = originOf(urlOrOrigin);
    let throttle = this.#throttles.get(origin);
    if (throttle === undefined) {
      throttle = new RetryThrottle(this.#options);
      this.#throttles.set(origin, throttle);
    }
    return throttle;
  }
}

function originOf(urlOrOrigin: string): string {
  try {
    const origin = new URL(urlOrOrigin).origin;
    // Non-special schemes have an opaque origin ("null"); keying on it would merge unrelated hosts.
    return origin === 'null' ? urlOrOrigin : origin;
  } catch {
    return urlOrOrigin;
  }
}
