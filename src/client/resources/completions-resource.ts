import {
  type Completion,
  type CompletionRequest,
  completionRequestSchema,
} from '../../wire/openai/completion-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall, rejectStreaming, validateRequest } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';

/** `client.completions` (legacy text completions). */
export class Completions {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Creates a text completion.
   *
   * @example
   * const completion = await client.completions.create({ model: 'ref-chat', prompt: 'Once upon', max_tokens: 8 });
   */
  create(params: CompletionRequest, options: RequestOptions = {}): APIPromise<Completion> {
    return executeCall(this.#context, 'completions.create', options, () => {
      const request = rejectStreaming(validateRequest(completionRequestSchema, params, 'completion request'));
      return (providerOptions) => this.#context.provider.doCompletion(request, providerOptions);
    });
  }
}
