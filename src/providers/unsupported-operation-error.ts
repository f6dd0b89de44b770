import { AiaasError } from '../errors/index.js';

/**
 * The chosen provider's wire dialect has no such operation (e.g. `infer` on an
 * OpenAI-compatible server, `chat` on an OIP tensor server). Never retried.
 *
 * @example
 * catch (error) { if (error instanceof UnsupportedOperationError) console.log(error.provider, error.operation); }
 */
export class UnsupportedOperationError extends AiaasError {
  readonly provider: string;
  readonly operation: string;

  constructor(provider: string, operation: string, hint?: string) {
    super(`The ${provider} provider does not support ${operation}.${hint ? ` ${hint}` : ''}`, {
      code: 'unsupported_operation',
      retryable: false,
    });
    this.provider = provider;
    this.operation = operation;
  }
}
