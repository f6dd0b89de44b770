import { ollamaChatRequestSchema, ollamaChatResponseSchema } from '../../wire/ollama/ollama-chat-schemas.js';
import {
  ollamaEmbedRequestSchema,
  ollamaEmbedResponseSchema,
} from '../../wire/ollama/ollama-embed-schemas.js';
import {
  ollamaGenerateRequestSchema,
  ollamaGenerateResponseSchema,
} from '../../wire/ollama/ollama-generate-schemas.js';
import {
  ollamaShowResponseSchema,
  ollamaTagsResponseSchema,
} from '../../wire/ollama/ollama-model-schemas.js';
import type { ChatCompletion, ChatCompletionRequest } from '../../wire/openai/chat-schemas.js';
import type { Completion, CompletionRequest } from '../../wire/openai/completion-schemas.js';
import type { EmbeddingRequest } from '../../wire/openai/embedding-schemas.js';
import type { Model, ModelList } from '../../wire/openai/model-schemas.js';
import { parseWire } from '../../wire/validate-wire.js';
import { BaseProvider, joinUrl, type ProviderContext } from '../base-provider.js';
import type { EmbeddingResult } from '../embedding-result.js';
import type { ProviderCallOptions, ProviderResult, ProviderStream } from '../provider-types.js';
import {
  toOllamaChatRequest,
  toOllamaEmbedRequest,
  toOllamaGenerateRequest,
} from './ollama-request-mapping.js';
import {
  fromOllamaChatResponse,
  fromOllamaEmbedResponse,
  fromOllamaGenerateResponse,
  fromOllamaTags,
  toModel,
} from './ollama-response-mapping.js';

/** The server root of an Ollama server: a trailing `/api` in the base URL is dropped. */
export function ollamaServerRoot(baseURL: string): string {
  return new URL(baseURL)
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
}

const asRequest = { subject: 'request' } as const;

/** Ollama's native API (`/api/chat`, `/api/generate`, `/api/embed`, `/api/tags`), mapped to OpenAI shapes. */
export class OllamaProvider extends BaseProvider {
  readonly name = 'ollama' as const;

  constructor(context: ProviderContext) {
    super({ ...context, baseURL: ollamaServerRoot(context.baseURL) });
  }

  override async doChat(
    params: ChatCompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<ChatCompletion>> {
    const body = parseWire(ollamaChatRequestSchema, toOllamaChatRequest(params, false), {
      ...asRequest,
      what: 'ollama chat request',
    });
    const url = joinUrl(this.baseURL, 'api/chat');
    const { data, response } = await this.sendJson(
      ollamaChatResponseSchema,
      'POST',
      url,
      body,
      'ollama chat response',
      options,
    );
    return { data: fromOllamaChatResponse(data, response.requestId), response };
  }

  /** A streamed chat: the body is NDJSON, one `ollamaChatStreamLineSchema` object per line. */
  override async doStream(
    params: ChatCompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderStream> {
    const body = parseWire(ollamaChatRequestSchema, toOllamaChatRequest(params, true), {
      ...asRequest,
      what: 'ollama chat request',
    });
    const response = await this.transport.requestStream(
      {
        method: 'POST',
        url: joinUrl(this.baseURL, 'api/chat'),
        body,
        headers: { accept: 'application/x-ndjson', ...this.callHeaders('POST', options) },
      },
      options,
    );
    return { ...response, format: 'ndjson' };
  }

  override async doCompletion(
    params: CompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<Completion>> {
    const body = parseWire(ollamaGenerateRequestSchema, toOllamaGenerateRequest(params), {
      ...asRequest,
      what: 'ollama generate request',
    });
    const url = joinUrl(this.baseURL, 'api/generate');
    const { data, response } = await this.sendJson(
      ollamaGenerateResponseSchema,
      'POST',
      url,
      body,
      'ollama generate response',
      options,
    );
    return { data: fromOllamaGenerateResponse(data, response.requestId), response };
  }

  /** A streamed text completion: `/api/generate` as NDJSON, one `response` fragment per line. */
  override async doCompletionStream(
    params: CompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderStream> {
    const body = parseWire(
      ollamaGenerateRequestSchema,
      { ...toOllamaGenerateRequest(params), stream: true },
      { ...asRequest, what: 'ollama generate request' },
    );
    const response = await this.transport.requestStream(
      {
        method: 'POST',
        url: joinUrl(this.baseURL, 'api/generate'),
        body,
        headers: { accept: 'application/x-ndjson', ...this.callHeaders('POST', options) },
      },
      options,
    );
    return { ...response, format: 'ndjson' };
  }

  override async doEmbed(
    params: EmbeddingRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<EmbeddingResult>> {
    const body = parseWire(ollamaEmbedRequestSchema, toOllamaEmbedRequest(params), {
      ...asRequest,
      what: 'ollama embed request',
    });
    const url = joinUrl(this.baseURL, 'api/embed');
    const { data, response } = await this.sendJson(
      ollamaEmbedResponseSchema,
      'POST',
      url,
      body,
      'ollama embed response',
      options,
    );
    return { data: fromOllamaEmbedResponse(data), response };
  }

  override async doListModels(options: ProviderCallOptions): Promise<ProviderResult<ModelList>> {
    const url = joinUrl(this.baseURL, 'api/tags');
    const { data, response } = await this.sendJson(
      ollamaTagsResponseSchema,
      'GET',
      url,
      undefined,
      'ollama model list',
      options,
    );
    return { data: fromOllamaTags(data), response };
  }

  override async doRetrieveModel(
    model: string,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<Model>> {
    const url = joinUrl(this.baseURL, 'api/show');
    const { data, response } = await this.sendJson(
      ollamaShowResponseSchema,
      'POST',
      url,
      { model },
      'ollama model',
      options,
    );
    return { data: toModel(model, data.modified_at), response };
  }
}
