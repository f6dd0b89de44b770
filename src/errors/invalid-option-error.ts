import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface InvalidOptionErrorOptions extends AiaasErrorOptions {
  /** The option's name, dotted for a nested field (`retryThrottle.maxTokens`, `tags.team`). */
  option: string;
  /** What the option accepts, in words. */
  allowed: string;
}

/**
 * A client option (at construction) or a call's option (when the call is made, as its
 * rejection) that the SDK cannot use. The message names the option, what was given and what is
 * allowed; `code` is `invalid_option`. Never retried.
 *
 * @example
 * try { new AiaasClient({ budget: { limit: '1' } as never }); }
 * catch (error) { if (error instanceof InvalidOptionError) console.log(error.option, error.allowed); }
 */
export class InvalidOptionError extends AiaasError {
  readonly option: string;
  readonly allowed: string;

  constructor(message: string, options: InvalidOptionErrorOptions) {
    super(message, { code: 'invalid_option', ...options, retryable: false });
    this.option = options.option;
    this.allowed = options.allowed;
  }
}
