export { AiaasClient } from './aiaas-client.js';
export { APIPromise, type WithResponse } from './api-promise.js';
export { type AttemptUsage, CallCostMeter, type CallCostMeterInit } from './call-cost-meter.js';
export {
  type CallEstimate,
  estimateChatCall,
  estimateCompletionCall,
  estimateEmbeddingCall,
} from './call-estimate.js';
export { type QuoteOptions, type QuoteParams, quoteCall } from './call-quote.js';
export {
  type CallAttempt,
  type CallRunner,
  type CallRunOptions,
  createRetryCallRunner,
  type RetryCallRunnerSettings,
} from './call-runner.js';
export { type CallDefaults, type ClientContext, executeCall, type MeteredAttempt } from './client-context.js';
export { type AiaasClientOptions, isLoopbackHost, resolveClientOptions } from './client-options.js';
export { type CallMetering, CostAccounting, type CostAccountingOptions } from './cost-accounting.js';
export {
  MeteredChatStream,
  type MeteredChatStreamFinal,
  type StreamCallInfo,
} from './metered-chat-stream.js';
export type { RequestOptions, StreamRequestOptions, VersionedRequestOptions } from './request-options.js';
export {
  type ChatCompletionParams,
  ChatCompletions,
  resolveChatParams,
} from './resources/chat-completions-resource.js';
export { Completions } from './resources/completions-resource.js';
export { Embeddings } from './resources/embeddings-resource.js';
export { Inference, type InferOptions } from './resources/inference-resource.js';
export { Models } from './resources/models-resource.js';
export { type StreamCost, StreamCostRecorder } from './stream-cost-recorder.js';
export { openMeteredStream, type StreamCall } from './stream-opener.js';
