import { type CallEstimate, estimateEmbeddingCall } from '../../metering/call-estimate.js';
import { tokenUsage } from '../../metering/call-usage.js';
import type { EmbeddingResult } from '../../providers/embedding-result.js';
import { type EmbeddingRequest, embeddingRequestSchema } from '../../wire/openai/embedding-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';
import { validateRequest } from '../request-validation.js';

/** `client.embeddings` */
export class Embeddings {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /** The request bytes are exact only where the dialect sends the request as it is (openai). */
  #estimate(request: EmbeddingRequest): CallEstimate {
    const { bytesIn, ...estimate } = estimateEmbeddingCall(request);
    return this.#context.provider.name === 'openai' && bytesIn !== undefined
      ? { ...estimate, bytesIn }
      : estimate;
  }

  /**
   * Creates embeddings. Whatever `encoding_format` (float or base64), each
   * `data[i].embedding` is a `Float32Array`. Usage (input tokens and the bytes exchanged) and
   * cost are in the ledger and in `.withResponse()`.
   *
   * @example
   * const { data } = await client.embeddings.create({ model: 'ref-embed', input: ['a', 'b'], encoding_format: 'base64' });
   * data[0]?.embedding; // Float32Array
   */
  create(params: EmbeddingRequest, options: RequestOptions = {}): APIPromise<EmbeddingResult> {
    return executeCall(this.#context, 'embeddings.create', options, () => {
      const request = validateRequest(embeddingRequestSchema, params, 'embedding request');
      return {
        send: (providerOptions) => this.#context.provider.doEmbed(request, providerOptions),
        metering: {
          model: request.model,
          estimate: () => this.#estimate(request),
          usage: ({ data, response }) =>
            tokenUsage(data.usage, response, () => ({
              promptTokens: estimateEmbeddingCall(request).promptTokens,
              outputTexts: [],
            })),
        },
      };
    });
  }
}
