import type { z } from 'zod';
import type { HttpTransport } from '../transport/http-transport.js';
import type { HttpMethod } from '../transport/transport-types.js';
import type { InferRequest, ModelMetadata, ServerMetadata } from '../wire/oip/oip-schemas.js';
import type { RepositoryIndexEntry, RepositoryLoadRequest } from '../wire/oip/repository-schemas.js';
import type { ChatCompletion, ChatCompletionRequest } from '../wire/openai/chat-schemas.js';
import type { Completion, CompletionRequest } from '../wire/openai/completion-schemas.js';
import type { EmbeddingRequest } from '../wire/openai/embedding-schemas.js';
import type { Model, ModelList } from '../wire/openai/model-schemas.js';
import type { TokenizeRequest, TokenizeResponse } from '../wire/openai/tokenize-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import type { EmbeddingResult } from './embedding-result.js';
import type { InferResult } from './oip/decoded-tensor.js';
import type {
  FileOperations,
  FineTuningOperations,
  ModelVersionOptions,
  Provider,
  ProviderCallOptions,
  ProviderName,
  ProviderResult,
  ProviderStream,
} from './provider-types.js';
import { UnsupportedOperationError } from './unsupported-operation-error.js';

/** What every provider is built from. */
export interface ProviderContext {
  transport: HttpTransport;
  baseURL: string;
}

/** Joins a root URL and a path, with exactly one slash between them. */
export function joinUrl(root: string, path: string): string {
  return `${root.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Encodes a model name for a path segment, keeping `/` (model names like `org/model` are common). */
export function encodeModelPath(model: string): string {
  return model.split('/').map(encodeURIComponent).join('/');
}

/**
 * Shared plumbing of the providers: JSON calls validated against a schema, per-call headers,
 * and `UnsupportedOperationError` for every operation a dialect does not override.
 */
export abstract class BaseProvider implements Provider {
  abstract readonly name: ProviderName;
  readonly baseURL: string;
  protected readonly transport: HttpTransport;

  constructor(context: ProviderContext) {
    this.transport = context.transport;
    this.baseURL = context.baseURL;
  }

  /**
   * Sends a JSON request and validates the answer; a mismatch is a ValidationError naming the
   * path. `fast` is an optional structural check of the common shape, tried before the schema.
   */
  protected async sendJson<Schema extends z.ZodType>(
    schema: Schema,
    method: HttpMethod,
    url: string,
    body: unknown,
    what: string,
    options: ProviderCallOptions,
    fast?: (value: unknown) => z.output<Schema> | undefined,
  ): Promise<ProviderResult<z.output<Schema>>> {
    const { data, response } = await this.transport.requestJson(
      { method, url, body, headers: this.callHeaders(method, options) },
      options,
    );
    return {
      data: parseWire(schema, data, { subject: 'response', what, requestId: response.requestId }, fast),
      response,
    };
  }

  /** The call's own headers plus the idempotency key (`Idempotency-Key` unless renamed) on POST. */
  protected callHeaders(method: HttpMethod, options: ProviderCallOptions): Record<string, string> {
    // Built key by key: a conditional spread takes V8's slow path, and this runs per attempt.
    const headers: Record<string, string> = {};
    if (method === 'POST' && options.idempotencyKey) {
      headers[options.idempotencyHeader ?? 'idempotency-key'] = options.idempotencyKey;
    }
    const own = options.headers;
    if (own !== undefined) {
      for (const name in own) if (Object.hasOwn(own, name)) headers[name] = own[name] as string;
    }
    return headers;
  }

  protected unsupported(operation: string, hint?: string): UnsupportedOperationError {
    return new UnsupportedOperationError(this.name, operation, hint);
  }

  async doChat(
    _params: ChatCompletionRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<ChatCompletion>> {
    throw this.unsupported('chat completions', 'Use the openai or ollama provider.');
  }

  async doStream(_params: ChatCompletionRequest, _options: ProviderCallOptions): Promise<ProviderStream> {
    throw this.unsupported('streamed chat completions', 'Use the openai or ollama provider.');
  }

  async doCompletion(
    _params: CompletionRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<Completion>> {
    throw this.unsupported('text completions', 'Use the openai or ollama provider.');
  }

  async doCompletionStream(
    _params: CompletionRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderStream> {
    throw this.unsupported('streamed text completions', 'Use the openai or ollama provider.');
  }

  async doEmbed(
    _params: EmbeddingRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<EmbeddingResult>> {
    throw this.unsupported(
      'embeddings',
      'Use the openai or ollama provider, or inference.infer on an embedding model.',
    );
  }

  async doListModels(_options: ProviderCallOptions): Promise<ProviderResult<ModelList>> {
    throw this.unsupported('listing models');
  }

  async doRetrieveModel(_model: string, _options: ProviderCallOptions): Promise<ProviderResult<Model>> {
    throw this.unsupported('retrieving a model', 'For OIP servers use inference.modelMetadata.');
  }

  doFiles(): FileOperations {
    throw this.unsupported('files', 'Use the openai provider (OpenAI and aiaas/server have /v1/files).');
  }

  doFineTuning(): FineTuningOperations {
    throw this.unsupported(
      'fine-tuning jobs',
      'Use the openai provider (OpenAI and aiaas/server have /v1/fine_tuning/jobs).',
    );
  }

  async doTokenize(
    _params: TokenizeRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<TokenizeResponse>> {
    throw this.unsupported(
      'tokenize',
      'Only OpenAI-compatible servers with a vLLM-style /tokenize route have it.',
    );
  }

  async doServerMetadata(_options: ProviderCallOptions): Promise<ProviderResult<ServerMetadata>> {
    throw this.unsupported(
      'inference.serverMetadata',
      'Use the oip provider for Open Inference Protocol servers.',
    );
  }

  async doModelMetadata(
    _model: string,
    _version: ModelVersionOptions,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<ModelMetadata>> {
    throw this.unsupported(
      'inference.modelMetadata',
      'Use the oip provider for Open Inference Protocol servers.',
    );
  }

  async doModelReady(
    _model: string,
    _version: ModelVersionOptions,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<boolean>> {
    throw this.unsupported('inference.ready', 'Use the oip provider for Open Inference Protocol servers.');
  }

  async doInfer(
    _model: string,
    _request: InferRequest,
    _version: ModelVersionOptions,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<InferResult>> {
    throw this.unsupported('inference.infer', 'Use the oip provider for Open Inference Protocol servers.');
  }

  async doRepositoryIndex(
    _ready: boolean | undefined,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<RepositoryIndexEntry[]>> {
    throw this.unsupported('inference.repository', 'Use the oip provider for Triton and aiaas/server.');
  }

  async doRepositoryLoad(
    _model: string,
    _request: RepositoryLoadRequest,
    _options: ProviderCallOptions,
  ): Promise<ProviderResult<void>> {
    throw this.unsupported('inference.repository', 'Use the oip provider for Triton and aiaas/server.');
  }

  async doRepositoryUnload(_model: string, _options: ProviderCallOptions): Promise<ProviderResult<void>> {
    throw this.unsupported('inference.repository', 'Use the oip provider for Triton and aiaas/server.');
  }
}
