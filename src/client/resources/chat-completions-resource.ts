import { type ChatBuilder, isChatBuilder } from '../../builders/chat-builder.js';
import {
  type ChatCompletion,
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
} from '../../wire/openai/chat-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall, rejectStreaming, validateRequest } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';

/** Chat params as users write them (before schema defaults), or a builder. */
export type ChatCompletionParams = ChatCompletionRequest | ChatBuilder;

/** Validates chat params (or builds a builder) into the request the provider sends. */
export function resolveChatParams(params: ChatCompletionParams): ChatCompletionRequest {
  if (isChatBuilder(params)) return params.build();
  return validateRequest(chatCompletionRequestSchema, params, 'chat completion request');
}

/** `client.chat.completions` */
export class ChatCompletions {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Creates a chat completion (non-streaming). Accepts params or a `chat()` builder.
   * Streaming is `chat.completions.stream()`, added by the streaming layer.
   *
   * @example
   * const completion = await client.chat.completions.create(chat('ref-chat').user('hi'));
   * console.log(completion.choices[0]?.message.content, completion.usage?.total_tokens);
   */
  create(params: ChatCompletionParams, options: RequestOptions = {}): APIPromise<ChatCompletion> {
    return executeCall(this.#context, 'chat.completions.create', options, () => {
      const request = rejectStreaming(resolveChatParams(params));
      return (providerOptions) => this.#context.provider.doChat(request, providerOptions);
    });
  }

  // STREAMING HOOK: `stream(params, options)` belongs here. It resolves params with
  // resolveChatParams and opens the response with `openChatStream` (chat-stream-hook.ts).
}
