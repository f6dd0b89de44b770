/** The OpenAI error `type` values the server uses; OIP errors carry only the message. */
export type HttpErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable_error';

export interface HttpErrorOptions {
  /** The request field at fault, e.g. `messages.0.content` (OpenAI `param`). */
  param?: string | undefined;
  /** A machine-readable code, e.g. `model_not_found` (OpenAI `code`). */
  code?: string | undefined;
  type?: HttpErrorType | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

function defaultType(status: number): HttpErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/**
 * An error a route throws to answer with a given status. The dispatcher renders it in the
 * dialect of the route (OpenAI or OIP), so routes never build error bodies themselves.
 *
 * @example
 * throw new HttpError(404, "The model 'gpt-9' does not exist.", { param: 'model', code: 'model_not_found' });
 */
export class HttpError extends Error {
  readonly status: number;
  readonly param: string | undefined;
  readonly code: string | undefined;
  readonly type: HttpErrorType;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.param = options.param;
    this.code = options.code;
    this.type = options.type ?? defaultType(status);
    this.headers = options.headers ?? {};
  }
}

/** A 400 naming the field at fault. */
export function badRequest(message: string, param?: string, code = 'invalid_value'): HttpError {
  return new HttpError(400, message, { param, code });
}

/** The 404 for a model the server does not serve. */
export function modelNotFound(model: string, param: string | undefined = 'model'): HttpError {
  return new HttpError(404, `The model '${model}' does not exist or is not served here.`, {
    param,
    code: 'model_not_found',
  });
}
