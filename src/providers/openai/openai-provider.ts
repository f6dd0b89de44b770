import { fastChatCompletion } from '../../wire/openai/chat-fast-check.js';
import type { ChatCompletion, ChatCompletionRequest } from '../../wire/openai/chat-schemas.js';
import { chatCompletionSchema } from '../../wire/openai/chat-schemas.js';
import {
  type Completion,
  type CompletionRequest,
  completionSchema,
} from '../../wire/openai/completion-schemas.js';
import { type EmbeddingRequest, embeddingResponseSchema } from '../../wire/openai/embedding-schemas.js';
import { type Model, type ModelList, modelListSchema, modelSchema } from '../../wire/openai/model-schemas.js';
import {
  type TokenizeRequest,
  type TokenizeResponse,
  tokenizeResponseSchema,
} from '../../wire/openai/tokenize-schemas.js';
import { BaseProvider, encodeModelPath, joinUrl, type ProviderContext } from '../base-provider.js';
import { decodeEmbedding } from '../embedding-decoding.js';
import type { EmbeddingResult } from '../embedding-result.js';
import type {
  FileOperations,
  FineTuningOperations,
  ProviderCallOptions,
  ProviderResult,
  ProviderStream,
} from '../provider-types.js';
import { OpenAIFiles } from './openai-files.js';
import { OpenAIFineTuning } from './openai-fine-tuning.js';

/**
 * The API root of an OpenAI-compatible server. A bare origin (`http://host:8000`) gets `/v1`
 * appended; any other path (`https://host/v1`, `https://gateway/openai/v1`) is kept as given.
 */
export function openAIApiRoot(baseURL: string): string {
  const url = new URL(baseURL);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/, '');
}

/** The server root (the API root without a trailing `/v1`), where vLLM serves `/tokenize`. */
export function openAIServerRoot(apiRoot: string): string {
  return apiRoot.replace(/\/v1$/, '');
}

/**
 * The body of a non-streaming call: the params without `stream_options`, with `stream: false`
 * (in place when the params had `stream`, else last). One copy, key by key: a rest pattern plus
 * a spread made two, on V8's slow path.
 */
function withoutStreaming(params: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key in params) {
    if (Object.hasOwn(params, key) && key !== 'stream_options') body[key] = params[key];
  }
  body.stream = false;
  return body;
}

/** Any OpenAI-compatible server: OpenAI, vLLM, llama.cpp, LiteLLM, `aiaas/server`. */
export class OpenAIProvider extends BaseProvider {
  readonly name = 'openai' as const;
  readonly #serverRoot: string;
  /** Joined once: `joinUrl` runs two regular expressions, and chat is the hot path. */
  readonly #chatUrl: string;
  #files: FileOperations | undefined;
  #fineTuning: FineTuningOperations | undefined;

  constructor(context: ProviderContext) {
    const apiRoot = openAIApiRoot(context.baseURL);
    super({ ...context, baseURL: apiRoot });
    this.#serverRoot = openAIServerRoot(apiRoot);
    this.#chatUrl = joinUrl(apiRoot, 'chat/completions');
  }

  override doChat(
    params: ChatCompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<ChatCompletion>> {
    return this.sendJson(
      chatCompletionSchema,
      'POST',
      this.#chatUrl,
      withoutStreaming(params),
      'chat completion response',
      options,
      fastChatCompletion,
    );
  }

  override doStream(params: ChatCompletionRequest, options: ProviderCallOptions): Promise<ProviderStream> {
    return this.#openEventStream('chat/completions', params, options);
  }

  override doCompletion(
    params: CompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<Completion>> {
    const url = joinUrl(this.baseURL, 'completions');
    return this.sendJson(
      completionSchema,
      'POST',
      url,
      withoutStreaming(params),
      'completion response',
      options,
    );
  }

  override doCompletionStream(
    params: CompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderStream> {
    return this.#openEventStream('completions', params, options);
  }

  /** Chat and text completions stream alike: SSE, with usage always asked for in the last chunk. */
  async #openEventStream(
    path: string,
    params: ChatCompletionRequest | CompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderStream> {
    const body = {
      ...params,
      stream: true,
      stream_options: { include_usage: true, ...params.stream_options },
    };
    const response = await this.transport.requestStream(
      {
        method: 'POST',
        url: joinUrl(this.baseURL, path),
        body,
        headers: { accept: 'text/event-stream', ...this.callHeaders('POST', options) },
      },
      options,
    );
    return { ...response, format: 'sse' };
  }

  override async doEmbed(
    params: EmbeddingRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<EmbeddingResult>> {
    const url = joinUrl(this.baseURL, 'embeddings');
    const { data, response } = await this.sendJson(
      embeddingResponseSchema,
      'POST',
      url,
      params,
      'embedding response',
      options,
    );
    const result: EmbeddingResult = {
      object: 'list',
      model: data.model,
      usage: {
        prompt_tokens: data.usage.prompt_tokens,
        total_tokens: data.usage.total_tokens,
        // aiaas/server reports the compute it bills; the cost layer records it.
        ...(typeof data.usage.compute_ms === 'number' ? { compute_ms: data.usage.compute_ms } : {}),
      },
      data: data.data.map((item, position) => ({
        object: 'embedding',
        index: item.index,
        embedding: decodeEmbedding(item.embedding, `data.${position}.embedding`, response.requestId),
      })),
    };
    return { data: result, response };
  }

  override doListModels(options: ProviderCallOptions): Promise<ProviderResult<ModelList>> {
    return this.sendJson(
      modelListSchema,
      'GET',
      joinUrl(this.baseURL, 'models'),
      undefined,
      'model list',
      options,
    );
  }

  override doRetrieveModel(model: string, options: ProviderCallOptions): Promise<ProviderResult<Model>> {
    const url = joinUrl(this.baseURL, `models/${encodeModelPath(model)}`);
    return this.sendJson(modelSchema, 'GET', url, undefined, 'model', options);
  }

  override doFiles(): FileOperations {
    this.#files ??= new OpenAIFiles(this.transport, this.baseURL, (method, options) =>
      this.callHeaders(method, options),
    );
    return this.#files;
  }

  override doFineTuning(): FineTuningOperations {
    this.#fineTuning ??= new OpenAIFineTuning(this.transport, this.baseURL, (method, options) =>
      this.callHeaders(method, options),
    );
    return this.#fineTuning;
  }

  override doTokenize(
    params: TokenizeRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<TokenizeResponse>> {
    const url = joinUrl(this.#serverRoot, 'tokenize');
    return this.sendJson(tokenizeResponseSchema, 'POST', url, params, 'tokenize response', options);
  }
}
