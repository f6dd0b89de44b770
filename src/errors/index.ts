export { AiaasError, type AiaasErrorOptions, type ErrorPhase } from './aiaas-error.js';
export {
  APIError,
  type APIErrorOptions,
  AuthenticationError,
  apiErrorFor,
  BadRequestError,
  ConflictError,
  InternalServerError,
  isRetryableStatus,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './api-error.js';
export { BudgetExceededError, type BudgetExceededErrorOptions, UnpricedModelError } from './cost-errors.js';
export { InvalidOptionError, type InvalidOptionErrorOptions } from './invalid-option-error.js';
export {
  describeByteCount,
  type ResponseProgress,
  ResponseTooLargeError,
  type ResponseTooLargeErrorOptions,
} from './response-too-large-error.js';
export { StreamError, type StreamErrorOptions } from './stream-error.js';
export { AbortError, ConnectionError, TimeoutError, type TimeoutErrorOptions } from './transport-errors.js';
export { ValidationError, type ValidationErrorOptions, type ValidationIssue } from './validation-error.js';
