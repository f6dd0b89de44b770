import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors/index.js';

/** Renders a zod path as `messages.0.content`, the form users see in errors. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

/** One line naming the first failing field, e.g. `messages.0.role: Invalid option`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid value';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${first.path === '' ? '(root)' : first.path}: ${first.message}${more}`;
}

export interface ParseWireContext {
  subject: 'request' | 'response';
  /** What is being validated, e.g. `chat completion response`. */
  what: string;
  requestId?: string | undefined;
}

/**
 * Validates wire data at the boundary; a mismatch becomes a {@link ValidationError}
 * that names the field, instead of a crash somewhere later. `fast` may answer first for a
 * common shape (returning exactly what the schema would, or undefined to let the schema decide).
 */
export function parseWire<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  context: ParseWireContext,
  fast?: (value: unknown) => z.output<Schema> | undefined,
): z.output<Schema> {
  if (fast !== undefined) {
    const checked = fast(value);
    if (checked !== undefined) return checked;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const suffix = context.requestId ? ` (request id ${context.requestId})` : '';
  return throwValidation(`Invalid ${context.what}: ${describeIssues(issues)}${suffix}`, issues, context);
}

function throwValidation(message: string, issues: ValidationIssue[], context: ParseWireContext): never {
  throw new ValidationError(message, { issues, subject: context.subject, requestId: context.requestId });
}
