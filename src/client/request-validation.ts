import type { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { parseWire } from '../wire/validate-wire.js';

/**
 * A request the client refuses before sending it, naming the field to fix.
 *
 * @example
 * throw invalidRequest('max_tokens', 'a call under a budget needs max_tokens');
 */
export function invalidRequest(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid request: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

/** Validates request params with their wire schema; a mismatch throws a ValidationError naming the field. */
export function validateRequest<Schema extends z.ZodType>(
  schema: Schema,
  params: unknown,
  what: string,
): z.output<Schema> {
  return parseWire(schema, params, { subject: 'request', what });
}

/** `create()` answers in one piece; `stream: true` there is a mistake worth naming. */
export function rejectStreaming<Request extends { stream?: boolean | null | undefined }>(
  request: Request,
): Request {
  if (request.stream !== true) return request;
  throw invalidRequest('stream', 'create() does not stream; use stream() instead');
}

/** Streams always ask for usage where the dialect allows it, so `final()` has reported usage to price. */
export function withStreamUsage<
  Request extends { stream_options?: Record<string, unknown> | null | undefined },
>(request: Request): Request {
  return { ...request, stream_options: { ...request.stream_options, include_usage: true } };
}
