import { AiaasError, type AiaasErrorOptions, type ErrorPhase } from './aiaas-error.js';

/** The connection failed or broke (refused, reset, DNS, closed mid-body). Retryable. */
export class ConnectionError extends AiaasError {
  constructor(message: string, options: AiaasErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}

export interface TimeoutErrorOptions extends AiaasErrorOptions {
  phase: ErrorPhase;
  timeoutMs: number;
}

/** A time limit passed; `phase` says where (waiting for headers, the body, or the next stream event). */
export class TimeoutError extends AiaasError {
  declare readonly phase: ErrorPhase;
  readonly timeoutMs: number;

  constructor(message: string, options: TimeoutErrorOptions) {
    super(message, { retryable: true, ...options });
    this.timeoutMs = options.timeoutMs;
  }
}

/** The caller aborted the call (its AbortSignal fired). Never retried. */
export class AbortError extends AiaasError {
  constructor(message = 'The request was aborted by the caller.', options: AiaasErrorOptions = {}) {
    super(message, { ...options, retryable: false });
  }
}
