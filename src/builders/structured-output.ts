import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.js';
import { issuesOf } from '../wire/validate-wire.js';

/** Where a response format or a tool keeps the zod schema it came from (not sent: symbols are not JSON). */
const zodSchemaKey = Symbol.for('aiaas.zodSchema');

/** A `json_schema` response format made from a zod schema; `parse()` reads answers back with the schema. */
export type ZodResponseFormat<Parsed> = {
  type: 'json_schema';
  json_schema: { name: string; schema: Record<string, unknown>; strict: true };
  /** Type only: what `parse()` returns. */
  readonly __parsed?: Parsed;
};

/** True for a zod schema (zod 4), from this or another copy of zod. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** The JSON schema of a zod schema, as strict structured outputs want it (no `$schema` header). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _header, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
  }) as Record<string, unknown>;
  return json;
}

/**
 * A strict `json_schema` response format from a zod schema (zod 4's `z.toJSONSchema`).
 *
 * @example
 * const Person = z.object({ name: z.string(), age: z.int() });
 * const completion = await client.chat.completions.parse({ model: 'ref-chat', messages, response_format: zodResponseFormat(Person, 'person') });
 * completion.choices[0].message.parsed; // { name: string; age: number } | null
 */
export function zodResponseFormat<Schema extends z.ZodType>(
  schema: Schema,
  name = 'response',
): ZodResponseFormat<z.output<Schema>> {
  const format = {
    type: 'json_schema' as const,
    json_schema: { name, schema: jsonSchemaOf(schema), strict: true as const },
  };
  Object.defineProperty(format, zodSchemaKey, { value: schema, enumerable: false });
  return format;
}

/** The zod schema a response format or tool was made from, if any. */
export function zodSchemaOf(value: unknown): z.ZodType | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const schema = (value as Record<symbol, unknown>)[zodSchemaKey];
  return isZodSchema(schema) ? schema : undefined;
}

/**
 * Reads a JSON answer with its schema; a `ValidationError` (subject `response`) names the path
 * under `at` when it is not JSON or does not match.
 *
 * @example
 * parseStructured(Person, '{"name":"Ada","age":36}', 'choices.0.message.content');
 */
export function parseStructured<Parsed>(schema: z.ZodType<Parsed>, text: string, at: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(`The provider's answer at ${at} is not JSON.`, {
      subject: 'response',
      issues: [{ path: at, message: 'not JSON' }],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error).map((issue) => ({
    path: issue.path === '' ? at : `${at}.${issue.path}`,
    message: issue.message,
  }));
  throw new ValidationError(
    `The provider's answer does not match the schema at ${issues[0]?.path ?? at}: ${issues[0]?.message ?? ''}`,
    { subject: 'response', issues },
  );
}
