import type { z } from 'zod';
import {
  type ChatCompletionRequest,
  type ChatMessage,
  chatCompletionRequestSchema,
  type responseFormatSchema,
  type ToolCall,
  type toolSchema,
} from '../wire/openai/chat-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import { isZodSchema, zodResponseFormat } from './structured-output.js';

type ResponseFormat = z.input<typeof responseFormatSchema>;
type Tool = z.input<typeof toolSchema>;
type UserContent = Extract<ChatMessage, { role: 'user' }>['content'];

/** A draft: what the builder has collected, validated only by `build()`. */
type ChatDraft = Record<string, unknown> & { model: string; messages: readonly ChatMessage[] };

/**
 * An immutable fluent builder for chat requests: every method returns a new builder, so a
 * base can be shared and extended. `build()` validates with the same schema the client uses.
 *
 * @example
 * const base = chat('ref-chat').system('Answer in one word.').temperature(0);
 * const params = base.user('Capital of France?').maxTokens(5).build();
 * await client.chat.completions.create(base.user('hi')); // a builder works in place of params
 */
export class ChatBuilder<Parsed = unknown> {
  // A class that refers to itself is renamed by the bundler (`_ChatBuilder`); its name is part of the API.
  static {
    Object.defineProperty(ChatBuilder, 'name', { value: 'ChatBuilder' });
  }

  readonly #draft: Readonly<ChatDraft>;
  /** Type only: what `client.chat.completions.parse()` returns for this request. */
  declare readonly __parsed?: Parsed;

  constructor(draft: ChatDraft) {
    this.#draft = Object.freeze({ ...draft, messages: Object.freeze([...draft.messages]) });
  }

  #with(fields: Record<string, unknown>): ChatBuilder<Parsed> {
    return new ChatBuilder({ ...this.#draft, ...fields });
  }

  /** Appends any message, for roles and shapes the shortcuts do not cover. */
  message(message: ChatMessage): ChatBuilder<Parsed> {
    return this.#with({ messages: [...this.#draft.messages, message] });
  }

  system(content: string): ChatBuilder<Parsed> {
    return this.message({ role: 'system', content });
  }

  user(content: UserContent): ChatBuilder<Parsed> {
    return this.message({ role: 'user', content });
  }

  assistant(content: string | null, toolCalls?: ToolCall[]): ChatBuilder<Parsed> {
    return this.message({ role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) });
  }

  /** The result of a tool call, answering the assistant's `tool_calls[].id`. */
  tool(toolCallId: string, content: string): ChatBuilder<Parsed> {
    return this.message({ role: 'tool', tool_call_id: toolCallId, content });
  }

  /** Sampling temperature, 0 (greedy) to 2. */
  temperature(value: number): ChatBuilder<Parsed> {
    return this.#with({ temperature: value });
  }

  /** Nucleus sampling mass, above 0 up to 1. */
  topP(value: number): ChatBuilder<Parsed> {
    return this.#with({ top_p: value });
  }

  maxTokens(value: number): ChatBuilder<Parsed> {
    return this.#with({ max_tokens: value });
  }

  /** One stop sequence or up to four. */
  stop(sequences: string | string[]): ChatBuilder<Parsed> {
    return this.#with({ stop: sequences });
  }

  seed(value: number): ChatBuilder<Parsed> {
    return this.#with({ seed: value });
  }

  /** How many choices to generate, 1 to 16. */
  n(value: number): ChatBuilder<Parsed> {
    return this.#with({ n: value });
  }

  /**
   * `'text'`, `'json_object'`, a full format such as `{ type: 'json_schema', json_schema: { name, schema } }`,
   * or a zod schema: a strict `json_schema` format that `client.chat.completions.parse()` reads back typed.
   */
  responseFormat<Schema extends z.ZodType>(schema: Schema, name?: string): ChatBuilder<z.output<Schema>>;
  responseFormat(format: 'text' | 'json_object' | ResponseFormat): ChatBuilder<Parsed>;
  responseFormat(
    format: 'text' | 'json_object' | ResponseFormat | z.ZodType,
    name?: string,
  ): ChatBuilder<unknown> {
    if (isZodSchema(format)) return this.#with({ response_format: zodResponseFormat(format, name) });
    return this.#with({ response_format: typeof format === 'string' ? { type: format } : format });
  }

  /** The response format as given (a zod-made one keeps its schema), before `build()` copies it. */
  get responseFormatGiven(): unknown {
    return this.#draft.response_format;
  }

  tools(tools: Tool[]): ChatBuilder<Parsed> {
    return this.#with({ tools });
  }

  /** Any other request field (provider extensions included), merged as given. */
  set(fields: Partial<ChatCompletionRequest> & Record<string, unknown>): ChatBuilder<Parsed> {
    return this.#with(fields);
  }

  /** Validates and returns the request params; throws a `ValidationError` naming the field. */
  build(): ChatCompletionRequest {
    return parseWire(
      chatCompletionRequestSchema,
      { ...this.#draft, messages: [...this.#draft.messages] },
      {
        subject: 'request',
        what: 'chat request',
      },
    );
  }
}

/**
 * Starts a chat request for a model.
 *
 * @example
 * const params = chat('ref-chat').user('hi').build();
 */
export function chat(model: string): ChatBuilder {
  return new ChatBuilder({ model, messages: [] });
}

/** True for a chat builder (duck-typed, so a builder from another copy of the package works too). */
export function isChatBuilder(value: unknown): value is ChatBuilder {
  return (
    value instanceof ChatBuilder ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { build?: unknown }).build === 'function')
  );
}
