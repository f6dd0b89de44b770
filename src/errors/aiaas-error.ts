const brand = Symbol.for('aiaas.error');

/** Where in a call an error happened: before a socket, while waiting for headers, reading the body, or mid-stream. */
export type ErrorPhase = 'connect' | 'headers' | 'body' | 'stream';

export interface AiaasErrorOptions {
  cause?: unknown;
  status?: number | undefined;
  requestId?: string | undefined;
  code?: string | undefined;
  retryable?: boolean | undefined;
  phase?: ErrorPhase | undefined;
}

/** Why the retry layer stopped trying a call; set on the error that ends the call. */
export type RetryStopReason =
  | 'not-retryable'
  | 'max-retries'
  | 'deadline'
  | 'throttled'
  | 'server-delay-too-long'
  | 'aborted';

/**
 * The root of every error aiaas throws. Branded with `Symbol.for` so that
 * `AiaasError.isInstance()` works across duplicated copies of the package.
 *
 * @example
 * try { await client.chat.completions.create(params); }
 * catch (error) { if (AiaasError.isInstance(error) && error.retryable) scheduleLater(); }
 */
export class AiaasError extends Error {
  readonly [brand] = true;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly code: string | undefined;
  readonly retryable: boolean;
  readonly phase: ErrorPhase | undefined;
  /** How many attempts the retry layer made before this error ended the call (unset outside it). */
  readonly attempts: number | undefined;
  /** Why the retry layer stopped (unset outside it). */
  readonly retryStopReason: RetryStopReason | undefined;

  constructor(message: string, options: AiaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.requestId = options.requestId;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.phase = options.phase;
  }

  /** True for any aiaas error, even one from another copy of the package. */
  static isInstance(value: unknown): value is AiaasError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/**
 * Records on the error that ends a call how many attempts were made and why retrying
 * stopped, and appends `sentence` (when given) to the message so the reason is visible in logs.
 *
 * @example
 * throw annotateRetryOutcome(error, 3, 'max-retries', 'Gave up after 3 attempts: the server kept answering 503.');
 */
export function annotateRetryOutcome<E extends AiaasError>(
  error: E,
  attempts: number,
  reason: RetryStopReason,
  sentence?: string,
): E {
  // The fields are readonly to users; only this helper, called once by the retry layer, writes them.
  const writable = error as { attempts: number | undefined; retryStopReason: RetryStopReason | undefined };
  writable.attempts = attempts;
  writable.retryStopReason = reason;
  if (sentence !== undefined && sentence.length > 0) {
    const before = error.message;
    error.message = `${before} ${sentence}`;
    // V8 formats `stack` once, on first read; if something already read it, keep it in step.
    if (typeof error.stack === 'string') error.stack = error.stack.replace(before, error.message);
  }
  return error;
}
