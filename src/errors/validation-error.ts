import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `messages.0.role`; empty for the root. */
  path: string;
  message: string;
}

export interface ValidationErrorOptions extends AiaasErrorOptions {
  issues: readonly ValidationIssue[];
  /** What was validated: `request` (params before sending) or `response` (what the provider sent). */
  subject: 'request' | 'response';
}

/** A request or a response did not match its schema; says which fields and why. */
export class ValidationError extends AiaasError {
  readonly issues: readonly ValidationIssue[];
  readonly subject: 'request' | 'response';

  constructor(message: string, options: ValidationErrorOptions) {
    super(message, { ...options, retryable: false });
    this.issues = options.issues;
    this.subject = options.subject;
  }

  /** The path of the first issue, the field a user most likely has to fix. */
  get path(): string {
    return this.issues[0]?.path ?? '';
  }
}
