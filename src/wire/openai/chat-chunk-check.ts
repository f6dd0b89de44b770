import type { ChatCompletionChunk } from './chat-schemas.js';

type JsonObject = Record<string, unknown>;

// The schema's own test for an object (zod takes any non-array object).
function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isNullishString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isCommonChoice(choice: unknown): boolean {
  if (!isObject(choice)) return false;
  const { index, delta } = choice;
  if (!Number.isSafeInteger(index) || (index as number) < 0 || !isObject(delta)) return false;
  return (
    isOptionalString(delta.role) &&
    isNullishString(delta.content) &&
    // Tool call deltas are rarer and nested: the schema checks them.
    delta.tool_calls === undefined &&
    isNullishString(delta.refusal) &&
    isNullishString(choice.finish_reason)
  );
}

/**
 * The common chat chunk, checked by hand: a text (or role, or finish) delta without usage or
 * tool calls, the shape of nearly every chunk of a stream. True only for values that
 * `chatCompletionChunkSchema` accepts unchanged (it has no defaults or transforms on these
 * fields), so the value can be used as parsed; anything else, and every error, goes to the
 * schema. Checking by hand spares zod's per-level copies on the hot path of a stream.
 *
 * @example
 * const chunk = isCommonChatChunk(value) ? value : chatCompletionChunkSchema.parse(value);
 */
export function isCommonChatChunk(value: unknown): value is ChatCompletionChunk {
  if (!isObject(value)) return false;
  if (
    typeof value.id !== 'string' ||
    value.object !== 'chat.completion.chunk' ||
    !Number.isSafeInteger(value.created) ||
    typeof value.model !== 'string' ||
    // Usage has a default (`completion_tokens`), so a usage chunk goes through the schema.
    (value.usage !== undefined && value.usage !== null) ||
    !isNullishString(value.system_fingerprint)
  )
    return false;
  const { choices } = value;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) if (!isCommonChoice(choice)) return false;
  return true;
}
