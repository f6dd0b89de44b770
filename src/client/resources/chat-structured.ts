import type { z } from 'zod';
import { type ChatBuilder, isChatBuilder } from '../../builders/chat-builder.js';
import { parseStructured, type ZodResponseFormat, zodSchemaOf } from '../../builders/structured-output.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import type { ChatCompletion, ChatCompletionRequest } from '../../wire/openai/chat-schemas.js';

/** Chat params whose `response_format` came from `zodResponseFormat()`, or a builder given a zod schema. */
export type ParseChatParams<Parsed> =
  | ChatBuilder<Parsed>
  | (ChatCompletionRequest & { response_format: ZodResponseFormat<Parsed> });

type Choice = ChatCompletion['choices'][number];

/** A chat completion whose choices carry the answer read with the schema (`null` when a choice has no content). */
export type ParsedChatCompletion<Parsed> = ChatCompletion & {
  choices: (Choice & { message: { parsed: Parsed | null } })[];
};

/** The zod schema a request's response format was made from, if any. */
export function outputSchemaOf(params: unknown): z.ZodType | undefined {
  if (isChatBuilder(params)) return zodSchemaOf((params as ChatBuilder).responseFormatGiven);
  if (typeof params !== 'object' || params === null) return undefined;
  return zodSchemaOf((params as { response_format?: unknown }).response_format);
}

/** The schema `parse()` reads with; an `InvalidOptionError` when the request has none. */
export function requireOutputSchema(params: unknown): z.ZodType {
  const schema = outputSchemaOf(params);
  if (schema === undefined)
    throw new InvalidOptionError('parse() needs a response format made from a zod schema.', {
      option: 'response_format',
      allowed: 'zodResponseFormat(schema) or chat(model).responseFormat(schema)',
    });
  return schema;
}

/** Adds `message.parsed` to every choice; a `ValidationError` names the path when one does not match. */
export function parseCompletion<Parsed>(
  completion: ChatCompletion,
  schema: z.ZodType<Parsed>,
): ParsedChatCompletion<Parsed> {
  return {
    ...completion,
    choices: completion.choices.map((choice) => {
      const content = choice.message.content;
      const at = `choices.${choice.index}.message.content`;
      const parsed = content === null ? null : parseStructured(schema, content, at);
      return { ...choice, message: { ...choice.message, parsed } };
    }),
  };
}
