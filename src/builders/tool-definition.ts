import type { z } from 'zod';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { jsonSchemaOf, parseStructured } from './structured-output.js';

/** What `tool()` takes: a function the model may call, its zod parameters, and what runs it. */
export interface ToolSpec<Schema extends z.ZodType, Result> {
  name: string;
  description?: string;
  parameters: Schema;
  /** Runs the call with its validated arguments; the result goes back to the model (strings as is, the rest as JSON). */
  execute: (args: z.output<Schema>) => Result | Promise<Result>;
}

/** A tool as sent (`type: 'function'` with a JSON schema), plus how `runTools()` runs its calls. */
export type RunnableTool = {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict: true };
  /** Parses the model's argument text and runs the tool; not sent (a symbol is not JSON). */
  readonly [runToolKey]: (argumentText: string, at: string) => Promise<unknown>;
};

export const runToolKey = Symbol.for('aiaas.runTool');
const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Declares a tool with zod parameters (sent as a strict JSON schema) for `runTools()`.
 *
 * @example
 * const weather = tool({
 *   name: 'get_weather',
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }) => ({ city, celsius: 21 }),
 * });
 * await client.chat.completions.runTools({ model: 'ref-chat', messages, tools: [weather], maxSteps: 3 });
 */
export function tool<Schema extends z.ZodType, Result>(spec: ToolSpec<Schema, Result>): RunnableTool {
  if (!toolNamePattern.test(spec.name))
    throw new InvalidOptionError(
      `tool name must be 1-64 letters, digits, '_' or '-'; got ${JSON.stringify(spec.name)}.`,
      { option: 'tool.name', allowed: "1-64 letters, digits, '_' or '-'" },
    );
  const definition = {
    type: 'function' as const,
    function: {
      name: spec.name,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      parameters: jsonSchemaOf(spec.parameters),
      strict: true as const,
    },
  };
  const run = async (argumentText: string, at: string) =>
    spec.execute(parseStructured(spec.parameters, argumentText, at) as z.output<Schema>);
  Object.defineProperty(definition, runToolKey, { value: run, enumerable: false });
  return definition as RunnableTool;
}

/** True for a tool made by {@link tool}. */
export function isRunnableTool(value: unknown): value is RunnableTool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[runToolKey] === 'function'
  );
}
