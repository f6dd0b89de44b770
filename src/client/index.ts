export { AiaasClient } from './aiaas-client.js';
export { APIPromise, type WithResponse } from './api-promise.js';
export {
  type AttemptContext,
  type CallRunner,
  type CallRunOptions,
  createSimpleCallRunner,
} from './call-runner.js';
export { type ClientContext, executeCall } from './client-context.js';
export { type AiaasClientOptions, isLoopbackHost, resolveClientOptions } from './client-options.js';
export type { RequestOptions, VersionedRequestOptions } from './request-options.js';
export {
  type ChatCompletionParams,
  ChatCompletions,
  resolveChatParams,
} from './resources/chat-completions-resource.js';
export { openChatStream } from './resources/chat-stream-hook.js';
export { Completions } from './resources/completions-resource.js';
export { Embeddings } from './resources/embeddings-resource.js';
export { Inference, type InferOptions } from './resources/inference-resource.js';
export { Models } from './resources/models-resource.js';
