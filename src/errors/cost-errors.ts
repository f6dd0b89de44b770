import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface BudgetExceededErrorOptions extends AiaasErrorOptions {
  scope: string;
  /** Limit and the amount that would have been reached, as display strings with currency. */
  limit: string;
  attempted: string;
}

/** A hard budget would be exceeded; raised before any byte is sent. Never retried. */
export class BudgetExceededError extends AiaasError {
  readonly scope: string;
  readonly limit: string;
  readonly attempted: string;

  constructor(message: string, options: BudgetExceededErrorOptions) {
    super(message, { ...options, retryable: false });
    this.scope = options.scope;
    this.limit = options.limit;
    this.attempted = options.attempted;
  }
}

/** No price is known for a model and no fallback was declared: aiaas never prices a call at a silent zero. */
export class UnpricedModelError extends AiaasError {
  readonly model: string;

  constructor(model: string, options: AiaasErrorOptions = {}) {
    super(
      `No price is known for model "${model}". Add it to the price catalog, or declare a fallback card.`,
      { ...options, retryable: false },
    );
    this.model = model;
  }
}
