import type { z } from 'zod';
import { type ChatBuilder, isChatBuilder } from '../../builders/chat-builder.js';
import { estimatePromptTokens } from '../../cost/cost-estimator.js';
import { estimateChatCall, messagesForEstimate } from '../../metering/call-estimate.js';
import { tokenUsage } from '../../metering/call-usage.js';
import { fastChatRequest } from '../../wire/openai/chat-fast-check.js';
import {
  type ChatCompletion,
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
} from '../../wire/openai/chat-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions, StreamRequestOptions } from '../request-options.js';
import { rejectStreaming, validateRequest, withStreamUsage } from '../request-validation.js';
import type { MeteredChatStream } from '../stream-session/metered-chat-stream.js';
import { openStream } from '../stream-session/stream-opener.js';
import {
  outputSchemaOf,
  type ParseChatParams,
  type ParsedChatCompletion,
  parseCompletion,
  requireOutputSchema,
} from './chat-structured.js';
import { type RunToolsParams, type RunToolsResult, runToolLoop } from './chat-tool-runner.js';

/** Chat params as users write them (before schema defaults), or a builder. */
export type ChatCompletionParams = ChatCompletionRequest | ChatBuilder;

/** Validates chat params (or builds a builder) into the request the provider sends. */
export function resolveChatParams(params: ChatCompletionParams): ChatCompletionRequest {
  if (isChatBuilder(params)) return params.build();
  return (
    fastChatRequest(params) ?? validateRequest(chatCompletionRequestSchema, params, 'chat completion request')
  );
}

/** `client.chat.completions` */
export class ChatCompletions {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Creates a chat completion (non-streaming). Accepts params or a `chat()` builder. Retried
   * per the client's policy with one idempotency key; its usage and cost are in the ledger and
   * in `.withResponse()`.
   *
   * @example
   * const completion = await client.chat.completions.create(chat('ref-chat').user('hi'));
   * const { data, usage, cost } = await client.chat.completions.create(params).withResponse();
   */
  create(params: ChatCompletionParams, options: RequestOptions = {}): APIPromise<ChatCompletion> {
    return executeCall(this.#context, 'chat.completions.create', options, () => {
      const request = rejectStreaming(resolveChatParams(params));
      return {
        send: (providerOptions) => this.#context.provider.doChat(request, providerOptions),
        metering: {
          model: request.model,
          estimate: () => estimateChatCall(request),
          usage: ({ data, response }) =>
            tokenUsage(data.usage, response, () => ({
              promptTokens: estimatePromptTokens(messagesForEstimate(request)),
              outputTexts: data.choices.map((choice) => choice.message.content ?? ''),
            })),
        },
      };
    });
  }

  /**
   * Streams a chat completion. Resolves once the first event has arrived: a failure before it
   * is retried like any call; after it, a broken stream is resumed (same idempotency key plus
   * `Last-Event-ID`). Usage is always requested; `final()` has it, and the cost.
   *
   * @example
   * const stream = await client.chat.completions.stream(chat('ref-chat').user('hi').maxTokens(32), { idleTimeout: 10_000 });
   * for await (const text of stream.text()) process.stdout.write(text);
   * const { usage, cost } = await stream.final();
   */
  async stream<Parsed = unknown>(
    params: ChatCompletionParams | ParseChatParams<Parsed>,
    options: StreamRequestOptions = {},
  ): Promise<MeteredChatStream<Parsed>> {
    const request = withStreamUsage(resolveChatParams(params as ChatCompletionParams));
    const schema = outputSchemaOf(params);
    const stream = await openStream(
      this.#context,
      {
        operation: 'chat.completions.stream',
        metering: { model: request.model, estimate: () => estimateChatCall(request) },
        promptTokens: () => estimatePromptTokens(messagesForEstimate(request)),
        send: (providerOptions) => this.#context.provider.doStream(request, providerOptions),
      },
      options,
    );
    if (schema !== undefined) stream.readOutputWith(schema);
    return stream as MeteredChatStream<Parsed>;
  }

  /**
   * Creates a chat completion with a response format made from a zod schema and reads each
   * choice's answer back with it: `choices[i].message.parsed`, typed. A `ValidationError`
   * names the path when the provider answers something else. Metered like `create()`.
   *
   * @example
   * const completion = await client.chat.completions.parse(chat('ref-chat').user('hi').responseFormat(Person));
   * completion.choices[0].message.parsed; // Person | null
   */
  async parse<Parsed>(
    params: ParseChatParams<Parsed>,
    options: RequestOptions = {},
  ): Promise<ParsedChatCompletion<Parsed>> {
    const schema = requireOutputSchema(params) as z.ZodType<Parsed>;
    return parseCompletion(await this.create(params as ChatCompletionParams, options), schema);
  }

  /**
   * Runs a tool loop: call, run each tool call (`tool({ name, parameters, execute })`) with its
   * validated arguments, send the results back, until the model answers or `maxSteps` calls
   * were made. Every step is a `create()` call: metered, budgeted and in the ledger.
   *
   * @example
   * const { completion, steps } = await client.chat.completions.runTools({ model: 'ref-chat', messages, tools: [weather], tool_choice: 'required', maxSteps: 3 });
   */
  runTools(params: RunToolsParams, options: RequestOptions = {}): Promise<RunToolsResult> {
    return runToolLoop((request) => this.create(request, options), params);
  }
}
