import { compileSchema } from '../generation/constrained/compile-schema.js';
import type { JsonConstraint } from '../generation/constrained/constrained-sequence.js';
import { UnsupportedSchemaError } from '../generation/constrained/schema-nodes.js';
import { badRequest } from '../http/http-error.js';

/**
 * The decoding constraint of a JSON schema a request gives at `path` (OpenAI's
 * `response_format`, a tool's `parameters`, Ollama's `format`): a schema outside the supported
 * subset is a 400 naming the keyword and its path.
 *
 * @example
 * checkedConstraint({ type: 'object' }, 'format'); // { schema: { type: 'object' } }
 */
export function checkedConstraint(schema: unknown, path: string): JsonConstraint {
  try {
    compileSchema(schema, path);
  } catch (error) {
    if (!(error instanceof UnsupportedSchemaError)) throw error;
    throw badRequest(
      `Unsupported JSON schema at ${error.path} ('${error.keyword}'): ${error.message}`,
      error.path,
      'unsupported_schema',
    );
  }
  return { schema: schema as Record<string, unknown> };
}
