export { apiErrorFromResponse, summarizeHtml } from './api-error-from-response.js';
export { AttemptSignal } from './attempt-signal.js';
export { BodyByteCount } from './body-byte-count.js';
export { composeMiddleware } from './compose-middleware.js';
export { type AgentOptions, createAgent } from './create-agent.js';
export { HttpTransport, type HttpTransportOptions } from './http-transport.js';
export { clientClosedError, mapNetworkError, type NetworkErrorContext } from './network-error-mapping.js';
export { readBodyText } from './read-body.js';
export { createRedactor, type Redactor, redactedMarker, sensitiveHeaderNames } from './redactor.js';
export { mergeHeaders, normalizeResponseHeaders } from './response-headers.js';
export {
  defaultMaxResponseBytes,
  largestMaxResponseBytes,
  type OversizedResponse,
  responseTooLarge,
} from './response-size-limit.js';
export {
  createSdkLogger,
  isLogLevel,
  type Logger,
  type LogLevel,
  resolveLogLevel,
  type SdkLogger,
} from './sdk-logger.js';
export type {
  HttpMethod,
  JsonResponse,
  Middleware,
  ResponseInfo,
  SendOptions,
  TransportHandler,
  TransportRequest,
  TransportRequestInit,
  TransportResponse,
} from './transport-types.js';
