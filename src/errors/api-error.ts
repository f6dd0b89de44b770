import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface APIErrorOptions extends AiaasErrorOptions {
  status: number;
  /** The parsed error body, when the provider sent one. */
  body?: unknown;
  type?: string | undefined;
  param?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The provider answered with an error status. Use {@link apiErrorFor} to get the subclass for a status.
 *
 * @example
 * if (error instanceof RateLimitError) console.log(error.headers['retry-after']);
 */
export class APIError extends AiaasError {
  declare readonly status: number;
  readonly body: unknown;
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: APIErrorOptions) {
    super(message, { ...options, retryable: options.retryable ?? isRetryableStatus(options.status) });
    this.body = options.body;
    this.type = options.type;
    this.param = options.param;
    this.headers = options.headers ?? {};
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

/** Statuses worth another attempt: timeouts, conflicts (not idempotency mismatches, decided by the retry layer), rate limits, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The APIError subclass that matches an HTTP status. */
export function apiErrorFor(message: string, options: APIErrorOptions): APIError {
  const status = options.status;
  if (status === 400) return new BadRequestError(message, options);
  if (status === 401) return new AuthenticationError(message, options);
  if (status === 403) return new PermissionDeniedError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 409) return new ConflictError(message, options);
  if (status === 422) return new UnprocessableEntityError(message, options);
  if (status === 429) return new RateLimitError(message, options);
  if (status >= 500) return new InternalServerError(message, options);
  return new APIError(message, options);
}
