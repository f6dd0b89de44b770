import type { z } from 'zod';
import { describeIssues, issuesOf } from '../../wire/validate-wire.js';
import { HttpError } from '../http/http-error.js';

/**
 * Validates a request body against its wire schema; a mismatch is a 400 whose message names
 * the field and whose `param` is that field's path (e.g. `messages.0.role`).
 *
 * @example
 * const body = parseRequest(chatCompletionRequestSchema, await context.readJson());
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  let result: ReturnType<Schema['safeParse']>;
  try {
    result = schema.safeParse(value) as ReturnType<Schema['safeParse']>;
  } catch (error) {
    // Validating absurdly nested JSON can exhaust the stack; that is the request's fault, not the server's.
    if (error instanceof RangeError)
      throw new HttpError(400, 'The request body is nested too deeply.', { code: 'invalid_request' });
    throw error;
  }
  if (result.success) return result.data as z.output<Schema>;
  const issues = issuesOf(result.error);
  const param = issues[0]?.path;
  throw new HttpError(400, `Invalid request: ${describeIssues(issues)}`, {
    param: param === '' ? undefined : param,
    code: 'invalid_request',
  });
}
