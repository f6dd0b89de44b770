export type { ChatEventSource } from './chat-event-reader.js';
export { ChatStream, type ChatStreamFinal } from './chat-stream.js';
export type {
  ChatStreamEvent,
  ErrorEvent,
  FinishEvent,
  ResponseMetadataEvent,
  StreamUsage,
  TextDeltaEvent,
  ToolCallDeltaEvent,
  UsageEvent,
  UsageProvenance,
} from './chat-stream-events.js';
export {
  type ChatStreamOptions,
  createChatStream,
  type OpenedChatEventSource,
  openChatEventSource,
  type StreamResponse,
} from './create-chat-stream.js';
export { decodeJsonLines, type JsonLine, NdjsonDecoder } from './ndjson-decoder.js';
export { OllamaLineMapper } from './ollama-line-mapper.js';
export { OpenAIChunkMapper } from './openai-chunk-mapper.js';
export type { Reconnect } from './resumable-stream.js';
export { decodeServerSentEvents, type ServerSentItem, SseDecoder } from './sse-decoder.js';
export { type FinalChoice, StreamAccumulator } from './stream-accumulator.js';
export { type StreamProgress, StreamTimeoutError, type StreamTimer } from './stream-timeout-error.js';
export { estimateUsage, type TokenEstimator } from './usage-estimate.js';
