import type { ServerLogger } from '../server-logger.js';
import { BatchingInferenceEngine } from './batching-inference-engine.js';
import { InProcessInferenceEngine } from './in-process-inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import type { ResolvedInferenceOptions } from './inference-options.js';
import { WorkerPoolInferenceEngine } from './worker-pool-inference-engine.js';

/**
 * The server's engine: a worker pool (or, with `workers: 0`, the main thread) behind the
 * batching scheduler. With batching off the scheduler still queues, so queue metrics mean
 * the same either way, but every request runs alone.
 *
 * @example
 * const engine = createInferenceEngine(resolveInferenceOptions({ workers: 1 }), metrics, logger);
 */
export function createInferenceEngine(
  options: ResolvedInferenceOptions,
  observer?: InferenceObserver,
  logger?: ServerLogger,
): BatchingInferenceEngine {
  const runner =
    options.workers === 0
      ? new InProcessInferenceEngine(observer)
      : new WorkerPoolInferenceEngine({
          workers: options.workers,
          observer,
          onWorkerReplaced: (error) =>
            logger?.warn('replaced an inference worker thread', { reason: error.message }),
        });
  return new BatchingInferenceEngine(runner, {
    enabled: options.batching,
    maxBatchSize: options.maxBatchSize,
    maxQueueDelayMs: options.maxQueueDelayMs,
    concurrency: Math.max(1, options.workers),
    observer,
  });
}
