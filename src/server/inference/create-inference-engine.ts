import type { ServerLogger } from '../server-logger.js';
import { BatchingInferenceEngine } from './batching-inference-engine.js';
import { InProcessInferenceEngine } from './in-process-inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import type { ResolvedInferenceOptions } from './inference-options.js';
import { LanedInferenceEngine } from './laned-inference-engine.js';
import { WorkerPoolInferenceEngine } from './worker-pool-inference-engine.js';

/** Deployed models share one thread of their own: isolation is the point, not parallelism. */
const isolatedWorkers = 1;

/**
 * The server's engine: worker pools (or, with `workers: 0`, the main thread) behind the
 * batching scheduler, in two lanes: the shared pool for the server's own models and one thread
 * for the models tenants deploy (see `LanedInferenceEngine`). With batching off the scheduler
 * still queues, so queue metrics mean the same either way, but every request runs alone.
 *
 * @example
 * const engine = createInferenceEngine(resolveInferenceOptions({ workers: 1 }), metrics, logger);
 */
export function createInferenceEngine(
  options: ResolvedInferenceOptions,
  observer?: InferenceObserver,
  logger?: ServerLogger,
): LanedInferenceEngine {
  const batching = (runner: InProcessInferenceEngine | WorkerPoolInferenceEngine, workers: number) =>
    new BatchingInferenceEngine(runner, {
      enabled: options.batching,
      maxBatchSize: options.maxBatchSize,
      maxQueueDelayMs: options.maxQueueDelayMs,
      concurrency: Math.max(1, workers),
      observer,
    });
  const pool = (workers: number) =>
    new WorkerPoolInferenceEngine({
      workers,
      observer,
      onWorkerReplaced: (error) =>
        logger?.warn('replaced an inference worker thread', { reason: error.message }),
    });
  if (options.workers === 0) {
    const inProcess = batching(new InProcessInferenceEngine(observer), 0);
    return new LanedInferenceEngine(inProcess, () => inProcess);
  }
  return new LanedInferenceEngine(batching(pool(options.workers), options.workers), () =>
    batching(pool(isolatedWorkers), isolatedWorkers),
  );
}
