import { estimateCompletionCall } from '../../metering/call-estimate.js';
import { tokenUsage } from '../../metering/call-usage.js';
import {
  type Completion,
  type CompletionRequest,
  completionRequestSchema,
} from '../../wire/openai/completion-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions, StreamRequestOptions } from '../request-options.js';
import { rejectStreaming, validateRequest, withStreamUsage } from '../request-validation.js';
import type { MeteredChatStream } from '../stream-session/metered-chat-stream.js';
import { openStream } from '../stream-session/stream-opener.js';

function resolveCompletionParams(params: CompletionRequest): CompletionRequest {
  return validateRequest(completionRequestSchema, params, 'completion request');
}

/** `client.completions` (legacy text completions). */
export class Completions {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Creates a text completion; usage and cost are in the ledger and in `.withResponse()`.
   *
   * @example
   * const completion = await client.completions.create({ model: 'ref-chat', prompt: 'Once upon', max_tokens: 8 });
   */
  create(params: CompletionRequest, options: RequestOptions = {}): APIPromise<Completion> {
    return executeCall(this.#context, 'completions.create', options, () => {
      const request = rejectStreaming(resolveCompletionParams(params));
      return {
        send: (providerOptions) => this.#context.provider.doCompletion(request, providerOptions),
        metering: {
          model: request.model,
          estimate: () => estimateCompletionCall(request),
          usage: ({ data, response }) =>
            tokenUsage(data.usage, response, () => ({
              promptTokens: estimateCompletionCall(request).promptTokens,
              outputTexts: data.choices.map((choice) => choice.text),
            })),
        },
      };
    });
  }

  /**
   * Streams a text completion, with the same retry, resume and cost behaviour as
   * `chat.completions.stream()`: the events are `text-delta`, `finish` and `usage`.
   *
   * @example
   * const stream = await client.completions.stream({ model: 'ref-chat', prompt: 'Once upon', max_tokens: 8 });
   * for await (const text of stream.text()) process.stdout.write(text);
   */
  async stream(params: CompletionRequest, options: StreamRequestOptions = {}): Promise<MeteredChatStream> {
    const request = withStreamUsage(resolveCompletionParams(params));
    return openStream(
      this.#context,
      {
        operation: 'completions.stream',
        metering: { model: request.model, estimate: () => estimateCompletionCall(request) },
        promptTokens: () => estimateCompletionCall(request).promptTokens,
        send: (providerOptions) => this.#context.provider.doCompletionStream(request, providerOptions),
      },
      options,
    );
  }
}
