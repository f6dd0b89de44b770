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

// `typeof` first: the common case is decided without a call.
function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isCommonChoice(choice: unknown): boolean {
  if (!isObject(choice)) return false;
  const index = choice.index;
  const delta = choice.delta;
  if (!isSafeInteger(index) || index < 0 || !isObject(delta)) return false;
  return (
    isNullishString(delta.content) &&
    isOptionalString(delta.role) &&
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
 * A value with an `error` field is never common: that is an in-band error (for a value from
 * `JSON.parse`, `error` is set exactly when `'error' in value`), so a stream needs no other
 * test for one before this.
 *
 * @example
 * const chunk = isCommonChatChunk(value) ? value : chatCompletionChunkSchema.parse(value);
 */
export function isCommonChatChunk(value: unknown): value is ChatCompletionChunk {
  if (!isObject(value)) return false;
  if (
    value.object !== 'chat.completion.chunk' ||
    value.error !== undefined ||
    typeof value.id !== 'string' ||
    !isSafeInteger(value.created) ||
    typeof value.model !== 'string' ||
    // Usage has a default (`completion_tokens`), so a usage chunk goes through the schema.
    (value.usage !== undefined && value.usage !== null) ||
    !isNullishString(value.system_fingerprint)
  )
    return false;
  const { choices } = value;
  if (!Array.isArray(choices)) return false;
  for (let position = 0; position < choices.length; position += 1)
    if (!isCommonChoice(choices[position])) return false;
  return true;
}
