import type { ResponseInfo, SendOptions, TransportResponse } from '../transport/transport-types.js';
import type { InferRequest, ModelMetadata, ServerMetadata } from '../wire/oip/oip-schemas.js';
import type { RepositoryIndexEntry, RepositoryLoadRequest } from '../wire/oip/repository-schemas.js';
import type { ChatCompletion, ChatCompletionRequest } from '../wire/openai/chat-schemas.js';
import type { Completion, CompletionRequest } from '../wire/openai/completion-schemas.js';
import type { EmbeddingRequest } from '../wire/openai/embedding-schemas.js';
import type { FileDeleted, FileList, FileListParams, FileObject } from '../wire/openai/file-schemas.js';
import type {
  CursorPageParams,
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobCreateParams,
  FineTuningJobEvent,
  FineTuningJobListParams,
} from '../wire/openai/fine-tuning-schemas.js';
import type { Model, ModelList } from '../wire/openai/model-schemas.js';
import type { TokenizeRequest, TokenizeResponse } from '../wire/openai/tokenize-schemas.js';
import type { EmbeddingResult } from './embedding-result.js';
import type { InferResult } from './oip/decoded-tensor.js';

/** The wire dialects aiaas speaks. */
export type ProviderName = 'openai' | 'oip' | 'ollama';

/** What one attempt of a call carries down to the provider. */
export interface ProviderCallOptions extends SendOptions {
  /** Extra headers for this call (after the client's defaults). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Sent as `Idempotency-Key` on POST requests, the same for every attempt of one call. */
  idempotencyKey?: string | undefined;
  /** The header that carries `idempotencyKey`; `Idempotency-Key` when omitted. */
  idempotencyHeader?: string | undefined;
}

/** A provider's answer: the result in aiaas's common shape, and the response it came from. */
export interface ProviderResult<Data> {
  readonly data: Data;
  readonly response: ResponseInfo;
}

/** A raw streaming response and how its body is framed, for the streaming layer to parse. */
export interface ProviderStream extends TransportResponse {
  /** `sse` for OpenAI-compatible servers, `ndjson` for Ollama. */
  readonly format: 'sse' | 'ndjson';
}

/** Which model version an OIP call addresses; the server's default when omitted. */
export interface ModelVersionOptions {
  version?: string | undefined;
}

/**
 * One adapter per wire dialect. Every method maps the dialect to the same result types
 * (OpenAI-shaped messages, usage and finish reasons; decoded tensors). The `do` prefix keeps
 * users from calling these by accident: they go through `AiaasClient`'s resources.
 * An operation a dialect lacks throws `UnsupportedOperationError`.
 *
 * @example
 * const { data, response } = await client.provider.doChat(chat('ref-chat').user('hi').build(), { timeout: 5_000 });
 * const raw = await client.provider.doStream(params, { signal }); // { status, headers, requestId, body, format }
 */
export interface Provider {
  readonly name: ProviderName;
  /** The base URL requests are resolved against, after the provider's normalisation. */
  readonly baseURL: string;
  doChat(
    params: ChatCompletionRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<ChatCompletion>>;
  /** Starts a streamed chat and returns the unread response; parsing is the streaming layer's job. */
  doStream(params: ChatCompletionRequest, options: ProviderCallOptions): Promise<ProviderStream>;
  doCompletion(params: CompletionRequest, options: ProviderCallOptions): Promise<ProviderResult<Completion>>;
  /** Starts a streamed text completion and returns the unread response, like `doStream`. */
  doCompletionStream(params: CompletionRequest, options: ProviderCallOptions): Promise<ProviderStream>;
  doEmbed(params: EmbeddingRequest, options: ProviderCallOptions): Promise<ProviderResult<EmbeddingResult>>;
  doListModels(options: ProviderCallOptions): Promise<ProviderResult<ModelList>>;
  doRetrieveModel(model: string, options: ProviderCallOptions): Promise<ProviderResult<Model>>;
  /** The files API (OpenAI's `/v1/files`); `UnsupportedOperationError` where the dialect has none. */
  doFiles(): FileOperations;
  /** The fine-tuning jobs API (OpenAI's `/v1/fine_tuning/jobs`); `UnsupportedOperationError` where the dialect has none. */
  doFineTuning(): FineTuningOperations;
  doTokenize(
    params: TokenizeRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<TokenizeResponse>>;
  doServerMetadata(options: ProviderCallOptions): Promise<ProviderResult<ServerMetadata>>;
  doModelMetadata(
    model: string,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<ModelMetadata>>;
  doModelReady(
    model: string,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<boolean>>;
  doInfer(
    model: string,
    request: InferRequest,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<InferResult>>;
  /** Triton's model repository extension: every model with its state. */
  doRepositoryIndex(
    ready: boolean | undefined,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<RepositoryIndexEntry[]>>;
  /** Loads (or reloads) a model, with its config and files as the request's parameters. */
  doRepositoryLoad(
    model: string,
    request: RepositoryLoadRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<void>>;
  doRepositoryUnload(model: string, options: ProviderCallOptions): Promise<ProviderResult<void>>;
}

/**
 * The files API of a provider that has one (OpenAI's `/v1/files`); `Provider.doFiles()` gives
 * it, or throws `UnsupportedOperationError` for dialects without files.
 *
 * @example
 * const { data } = await client.provider.doFiles().retrieve('file-abc', {});
 */
export interface FileOperations {
  /** Uploads a form with `file`, `purpose` and optional `expires_after[...]` fields. */
  create(form: FormData, options: ProviderCallOptions): Promise<ProviderResult<FileObject>>;
  list(params: FileListParams, options: ProviderCallOptions): Promise<ProviderResult<FileList>>;
  retrieve(id: string, options: ProviderCallOptions): Promise<ProviderResult<FileObject>>;
  /** The file's bytes, exactly as stored. */
  content(id: string, options: ProviderCallOptions): Promise<ProviderResult<Uint8Array>>;
  delete(id: string, options: ProviderCallOptions): Promise<ProviderResult<FileDeleted>>;
}

/** One page of a cursor-paginated list (`after`, `limit`, `has_more`), newest first. */
export interface CursorList<Item> {
  object: 'list';
  data: Item[];
  has_more: boolean;
  first_id?: string | null | undefined;
  last_id?: string | null | undefined;
}

/**
 * The fine-tuning jobs API of a provider that has one (OpenAI's `/v1/fine_tuning/jobs`);
 * `Provider.doFineTuning()` gives it, or throws `UnsupportedOperationError`.
 *
 * @example
 * const { data } = await client.provider.doFineTuning().retrieve('ftjob-abc', {});
 */
export interface FineTuningOperations {
  create(
    params: FineTuningJobCreateParams,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<FineTuningJob>>;
  retrieve(id: string, options: ProviderCallOptions): Promise<ProviderResult<FineTuningJob>>;
  list(
    params: FineTuningJobListParams,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<CursorList<FineTuningJob>>>;
  cancel(id: string, options: ProviderCallOptions): Promise<ProviderResult<FineTuningJob>>;
  listEvents(
    id: string,
    params: CursorPageParams,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<CursorList<FineTuningJobEvent>>>;
  listCheckpoints(
    id: string,
    params: CursorPageParams,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<CursorList<FineTuningJobCheckpoint>>>;
}
