/**
 * The retry token bucket each client keeps per origin (the client's `retryThrottle` option).
 * All numbers are whole tokens; a cost must fit in `maxTokens`.
 *
 * @example
 * // Twice the default room for retries in an outage: 1 000 / 5 = 200 retries.
 * new AiaasClient({ baseURL, apiKey, retryThrottle: { maxTokens: 1_000 } });
 */
export interface RetryThrottleOptions {
  /** The bucket's size, and where it starts, in whole tokens. Default 500. */
  readonly maxTokens?: number;
  /** Tokens a retry takes. Default 5. */
  readonly retryCost?: number;
  /** Tokens a retry after a timeout takes: a timed-out attempt may still be running on the server. Default 10. */
  readonly timeoutRetryCost?: number;
  /** Tokens a call that succeeds at its first attempt puts back. Default 1. */
  readonly successRefund?: number;
}

// The AWS SDKs' standard retry mode, whose bucket is sized for real concurrency: 500 tokens
// let 100 concurrent calls retry once before a failing provider is spared the rest.
const defaults = { maxTokens: 500, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 } as const;

/**
 * `given` (or `fallback` when not given) if it is a whole number of tokens in [minimum, maximum];
 * otherwise a RangeError naming the option, the value and what is allowed.
 */
function wholeTokens(
  name: string,
  given: number | undefined,
  fallback: number,
  minimum: number,
  maximum?: { readonly name: string; readonly value: number },
): number {
  const value = given ?? fallback;
  if (Number.isSafeInteger(value) && value >= minimum && (maximum === undefined || value <= maximum.value)) {
    return value;
  }
  const allowed =
    maximum === undefined
      ? `a whole number of tokens ≥ ${minimum}`
      : `a whole number of tokens from ${minimum} to \`${maximum.name}\` (${maximum.value}), or such a retry could never be afforded`;
  throw new RangeError(
    `\`${name}\` must be ${allowed}; got ${value}${given === undefined ? ' (its default)' : ''}.`,
  );
}

/**
 * A retry token bucket shared by the calls to one provider, as the AWS SDKs' standard retry
 * mode keeps it: a retry takes `retryCost` tokens (`timeoutRetryCost` after a timeout) and is
 * not made when the bucket holds fewer; a call that succeeds at its first attempt puts back
 * `successRefund`, and one that succeeds after retries puts back what its last retry took.
 * When a provider fails for everyone, at most `maxTokens / retryCost` retries follow the
 * failures, so clients add little load on top of their first attempts. Tokens are whole numbers.
 *
 * @example
 * const throttle = new RetryThrottle({ maxTokens: 500, retryCost: 5, timeoutRetryCost: 10 });
 * const cost = throttle.retryCostAfter(false); // 5
 * if (throttle.tryTake(cost)) await retry(); // 495 tokens left
 * throttle.recordSuccess(cost); // 500 again: the retry worked
 */
export class RetryThrottle {
  readonly maxTokens: number;
  readonly retryCost: number;
  readonly timeoutRetryCost: number;
  readonly successRefund: number;
  #tokens: number;

  constructor(options: RetryThrottleOptions = {}) {
    const maxTokens = wholeTokens('maxTokens', options.maxTokens, defaults.maxTokens, 1);
    const bucket = { name: 'maxTokens', value: maxTokens };
    this.maxTokens = maxTokens;
    this.retryCost = wholeTokens('retryCost', options.retryCost, defaults.retryCost, 1, bucket);
    this.timeoutRetryCost = wholeTokens(
      'timeoutRetryCost',
      options.timeoutRetryCost,
      defaults.timeoutRetryCost,
      1,
      bucket,
    );
    this.successRefund = wholeTokens('successRefund', options.successRefund, defaults.successRefund, 0);
    this.#tokens = maxTokens;
  }

  /** Tokens left, a whole number in [0, maxTokens]. */
  get tokens(): number {
    return this.#tokens;
  }

  /** What the next retry costs: `timeoutRetryCost` after a timeout, `retryCost` after any other failure. */
  retryCostAfter(timedOut: boolean): number {
    return timedOut ? this.timeoutRetryCost : this.retryCost;
  }

  /** Takes `cost` tokens and returns true, or takes nothing and returns false when fewer are left. */
  tryTake(cost: number): boolean {
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /**
   * A call succeeded. `lastRetryCost` is what its last charged retry took (the retry worked, so
   * it goes back); without one the call succeeded at once and `successRefund` goes back.
   * Never above `maxTokens`.
   */
  recordSuccess(lastRetryCost?: number): void {
    // Most calls succeed with the bucket already full: nothing to put back.
    if (this.#tokens >= this.maxTokens) return;
    this.#tokens = Math.min(this.maxTokens, this.#tokens + (lastRetryCost ?? this.successRefund));
  }
}

/**
 * One {@link RetryThrottle} per origin, created on first use. A client keeps one registry, so
 * all its calls to a provider share that provider's bucket, and a failing provider does not
 * stop retries to another.
 *
 * @example
 * const registry = new RetryThrottleRegistry({ maxTokens: 500, retryCost: 5 });
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
