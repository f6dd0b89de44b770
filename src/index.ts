// The public API of `aiaas`: an explicit allow-list. Anything not exported here is internal.

// Builders
export { ChatBuilder, chat } from './builders/chat-builder.js';
export { type DatatypeOf, type TensorInput, type TensorSource, tensor } from './builders/tensor-builder.js';
// Client
export { AiaasClient } from './client/aiaas-client.js';
export { APIPromise, type WithResponse } from './client/api-promise.js';
export type { AiaasClientOptions } from './client/client-options.js';
export type { RequestOptions, VersionedRequestOptions } from './client/request-options.js';
export type { ChatCompletionParams } from './client/resources/chat-completions-resource.js';
export type { InferOptions } from './client/resources/inference-resource.js';

// Errors
export {
  AbortError,
  AiaasError,
  APIError,
  AuthenticationError,
  BadRequestError,
  BudgetExceededError,
  ConflictError,
  ConnectionError,
  type ErrorPhase,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  StreamError,
  TimeoutError,
  UnpricedModelError,
  UnprocessableEntityError,
  ValidationError,
  type ValidationIssue,
} from './errors/index.js';
// Providers (the extension interface and the common result types)
export type { Embedding, EmbeddingResult } from './providers/embedding-result.js';
export type {
  DecodedTensor,
  InferResult,
  TensorArrayByDatatype,
  TypedTensor,
} from './providers/oip/decoded-tensor.js';
export type {
  ModelVersionOptions,
  Provider,
  ProviderCallOptions,
  ProviderName,
  ProviderResult,
  ProviderStream,
} from './providers/provider-types.js';
export { UnsupportedOperationError } from './providers/unsupported-operation-error.js';

// Transport extension points
export type { Logger, LogLevel } from './transport/sdk-logger.js';
export type {
  Middleware,
  ResponseInfo,
  TransportHandler,
  TransportRequest,
  TransportResponse,
} from './transport/transport-types.js';
export type { InferInput, InferRequest, ModelMetadata, ServerMetadata } from './wire/oip/oip-schemas.js';
export type { TensorDatatype } from './wire/oip/tensor-datatypes.js';
// Wire types (inferred from the zod schemas in src/wire)
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  ToolCall,
} from './wire/openai/chat-schemas.js';
export type { Completion, CompletionRequest } from './wire/openai/completion-schemas.js';
export type { EmbeddingRequest } from './wire/openai/embedding-schemas.js';
export type { Model, ModelList } from './wire/openai/model-schemas.js';
export type { OpenAIUsage } from './wire/openai/openai-common.js';
export type { TokenizeRequest, TokenizeResponse } from './wire/openai/tokenize-schemas.js';

// ---------------------------------------------------------------------------
// LEAD: cost, streaming and retry exports go here (e.g. PriceCatalog, Ledger, Money,
// runWithRetry / retry policy types, stream event types).
// ---------------------------------------------------------------------------
