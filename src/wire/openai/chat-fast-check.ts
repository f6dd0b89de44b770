import type { ChatCompletion, ChatCompletionRequest } from './chat-schemas.js';
import { chatCompletionRequestSchema } from './chat-schemas.js';

// Structural checks for the common exact shapes of a chat request and a chat completion. They
// run before zod and answer only "certainly valid" (returning what zod would return) or
// "ask zod" (undefined): anything unusual, including every invalid value, goes to the schema,
// which stays the one source of accept/reject and of the error message. A property test
// (test/unit/wire/chat-fast-check.test.ts) checks they never accept what zod rejects and that
// what they return equals zod's output.

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isNullishString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isNullishNumberWithin(value: unknown, low: number, high: number): boolean {
  return isAbsent(value) || (typeof value === 'number' && value >= low && value <= high);
}

function isNullishIntegerWithin(value: unknown, low: number, high: number): boolean {
  return (
    isAbsent(value) || (Number.isSafeInteger(value) && (value as number) >= low && (value as number) <= high)
  );
}

/** The request fields checked here; every other field the schema names must be absent. */
const requestChecks: Record<string, (value: unknown) => boolean> = {
  model: (value) => typeof value === 'string' && value.length > 0,
  messages: (value) => Array.isArray(value) && value.length > 0 && value.every(isPlainMessage),
  max_tokens: (value) => isNullishIntegerWithin(value, 1, Number.MAX_SAFE_INTEGER),
  temperature: (value) => isNullishNumberWithin(value, 0, 2),
  n: (value) => isNullishIntegerWithin(value, 1, 16),
  seed: (value) => isNullishIntegerWithin(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  stream: (value) => isAbsent(value) || typeof value === 'boolean',
  user: isOptionalString,
};
const schemaKeys = new Set(Object.keys(chatCompletionRequestSchema.shape));

/** A system, developer or user message with text content, or a plain assistant message. */
function isPlainMessage(message: unknown): boolean {
  if (!isRecord(message) || Object.getPrototypeOf(message) !== Object.prototype) return false;
  const { role } = message;
  if (role === 'user' || role === 'system' || role === 'developer') {
    return typeof message.content === 'string' && isOptionalString(message.name);
  }
  return (
    role === 'assistant' &&
    isNullishString(message.content) &&
    isOptionalString(message.name) &&
    message.tool_calls === undefined &&
    isNullishString(message.refusal)
  );
}

/**
 * The chat request zod would produce from `params` (a copy of the object and its messages),
 * when `params` has the common shape; undefined when zod must decide.
 *
 * @example
 * const request = fastChatRequest(params) ?? validateRequest(chatCompletionRequestSchema, params, 'chat completion request');
 */
export function fastChatRequest(params: unknown): ChatCompletionRequest | undefined {
  if (!isRecord(params) || Object.getPrototypeOf(params) !== Object.prototype) return undefined;
  for (const key in params) {
    if (!Object.hasOwn(params, key)) return undefined;
    const check = requestChecks[key];
    if (check === undefined) {
      // A field the schema names but this check does not know: zod decides (undefined is
      // accepted by every optional field, so it needs no schema).
      if (schemaKeys.has(key) && params[key] !== undefined) return undefined;
    } else if (!check(params[key])) {
      return undefined;
    }
  }
  if (!requestChecks.model?.(params.model) || !requestChecks.messages?.(params.messages)) return undefined;
  // Copies, as zod's loose objects do: a caller changing its params later cannot change the request.
  const messages = (params.messages as Json[]).map((message) => ({ ...message }));
  return { ...params, messages } as ChatCompletionRequest;
}

function isPlainChoice(choice: unknown): boolean {
  if (!isRecord(choice)) return false;
  const { message } = choice;
  return (
    isCount(choice.index) &&
    isRecord(message) &&
    message.role === 'assistant' &&
    (typeof message.content === 'string' || message.content === null) &&
    message.tool_calls === undefined &&
    isNullishString(message.refusal) &&
    (typeof choice.finish_reason === 'string' || choice.finish_reason === null)
  );
}

function isPlainUsage(usage: unknown): boolean {
  if (isAbsent(usage)) return true;
  if (!isRecord(usage)) return false;
  return (
    isCount(usage.prompt_tokens) &&
    // Present, so the schema's default (0) would not apply.
    isCount(usage.completion_tokens) &&
    isCount(usage.total_tokens) &&
    isAbsent(usage.prompt_tokens_details) &&
    isAbsent(usage.completion_tokens_details)
  );
}

/**
 * `body` itself when it is a chat completion of the common shape (text choices, plain usage),
 * which is then exactly what zod would return; undefined when zod must decide.
 *
 * @example
 * const completion = fastChatCompletion(body) ?? parseWire(chatCompletionSchema, body, context);
 */
export function fastChatCompletion(body: unknown): ChatCompletion | undefined {
  if (!isRecord(body)) return undefined;
  const { choices } = body;
  const valid =
    typeof body.id === 'string' &&
    body.object === 'chat.completion' &&
    Number.isSafeInteger(body.created) &&
    typeof body.model === 'string' &&
    Array.isArray(choices) &&
    choices.every(isPlainChoice) &&
    isPlainUsage(body.usage) &&
    isNullishString(body.system_fingerprint);
  return valid ? (body as ChatCompletion) : undefined;
}
