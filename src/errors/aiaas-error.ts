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
