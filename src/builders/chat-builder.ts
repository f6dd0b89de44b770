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
export class ChatBuilder {
  readonly #draft: Readonly<ChatDraft>;

  constructor(draft: ChatDraft) {
    this.#draft = Object.freeze({ ...draft, messages: Object.freeze([...draft.messages]) });
  }

  #with(fields: Record<string, unknown>): ChatBuilder {
    return new ChatBuilder({ ...this.#draft, ...fields });
  }

  /** Appends any message, for roles and shapes the shortcuts do not cover. */
  message(message: ChatMessage): ChatBuilder {
    return this.#with({ messages: [...this.#draft.messages, message] });
  }

  system(content: string): ChatBuilder {
    return this.message({ role: 'system', content });
  }

  user(content: UserContent): ChatBuilder {
    return this.message({ role: 'user', content });
  }

  assistant(content: string | null, toolCalls?: ToolCall[]): ChatBuilder {
    return this.message({ role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) });
  }

  /** The result of a tool call, answering the assistant's `tool_calls[].id`. */
  tool(toolCallId: string, content: string): ChatBuilder {
    return this.message({ role: 'tool', tool_call_id: toolCallId, content });
  }

  /** Sampling temperature, 0 (greedy) to 2. */
  temperature(value: number): ChatBuilder {
    return this.#with({ temperature: value });
  }

  /** Nucleus sampling mass, above 0 up to 1. */
  topP(value: number): ChatBuilder {
    return this.#with({ top_p: value });
  }

  maxTokens(value: number): ChatBuilder {
    return this.#with({ max_tokens: value });
  }

  /** One stop sequence or up to four. */
  stop(sequences: string | string[]): ChatBuilder {
    return this.#with({ stop: sequences });
  }

  seed(value: number): ChatBuilder {
    return this.#with({ seed: value });
  }

  /** How many choices to generate, 1 to 16. */
  n(value: number): ChatBuilder {
    return this.#with({ n: value });
  }

  /** `'text'`, `'json_object'`, or a full format such as `{ type: 'json_schema', json_schema: { name, schema } }`. */
  responseFormat(format: 'text' | 'json_object' | ResponseFormat): ChatBuilder {
    return this.#with({ response_format: typeof format === 'string' ? { type: format } : format });
  }

  tools(tools: Tool[]): ChatBuilder {
    return this.#with({ tools });
  }

  /** Any other request field (provider extensions included), merged as given. */
  set(fields: Partial<ChatCompletionRequest> & Record<string, unknown>): ChatBuilder {
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
