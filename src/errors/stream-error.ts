import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface StreamErrorOptions extends AiaasErrorOptions {
  /** Text received so far, per choice index. */
  partial?: readonly string[];
  /** Usage known so far (reported, or estimated from what was received). */
  usage?: unknown;
  lastEventId?: string | undefined;
}

/**
 * A stream broke or carried something unreadable after it started. Carries the partial
 * output and usage so far, so nothing already received is lost.
 */
export class StreamError extends AiaasError {
  readonly partial: readonly string[];
  readonly usage: unknown;
  readonly lastEventId: string | undefined;

  constructor(message: string, options: StreamErrorOptions = {}) {
    super(message, { phase: 'stream', ...options });
    this.partial = options.partial ?? [];
    this.usage = options.usage;
    this.lastEventId = options.lastEventId;
  }
}
