/**
 * `aiaas/server`: the reference model server. Real ONNX inference behind the
 * OpenAI-compatible and Open Inference Protocol v2 wire formats, for offline,
 * deterministic integration tests.
 *
 * @example
 * import { startReferenceServer } from 'aiaas/server';
 * const server = await startReferenceServer({ port: 0, seed: 42 });
 * console.log(server.url, server.models);
 * await server.close();
 */
export type { RateCardJson } from './billing/rate-card.js';
export { defaultMaxFileBytes, type FileStoreOptions } from './files/file-options.js';
export type { FineTuningOptions } from './fine-tuning/fine-tuning-options.js';
export { hashedBagOfWords } from './models/sentiment-features.js';
export type {
  ChaosOptions,
  IdempotencyOptions,
  RateLimitOptions,
  RequestPipelineOptions,
  StreamReplayOptions,
} from './pipeline/request-pipeline-options.js';
export { type ReferenceServer, startReferenceServer } from './reference-server.js';
export {
  defaultServerLogger,
  type LogFields,
  type ServerLogger,
  silentServerLogger,
  verboseServerLogger,
} from './server-logger.js';
export { defaultBodyLimitBytes, type ReferenceServerOptions } from './server-options.js';
