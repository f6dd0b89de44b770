import { availableParallelism } from 'node:os';

/**
 * How the server runs its models: the worker pool and dynamic batching. Part of
 * `ReferenceServerOptions`.
 *
 * @example
 * await startReferenceServer({ workers: 2, maxBatchSize: 16, maxQueueDelayMs: 5 });
 * await startReferenceServer({ batching: false }); // every request runs alone
 */
export interface InferenceServingOptions {
  /**
   * Worker threads running the models and generation (each loads every model, one
   * onnxruntime thread per session). Default: one less than the cores, from 1 to 4, so the
   * main thread keeps a core for HTTP, JSON and tokenizing. 0 runs models on the main thread,
   * which blocks its event loop during every run (only for debugging).
   */
  workers?: number;
  /** Batch concurrent requests for the same model (default true). */
  batching?: boolean;
  /** Most rows (requests' batch entries) in one model run (default 32). */
  maxBatchSize?: number;
  /**
   * How long a request may wait for others to join its batch, in milliseconds. Default 0:
   * a batch starts as soon as a worker is free and takes every request that queued while it
   * was busy, so batches grow with load and a lone request pays no delay (as Triton's default).
   * Raise it when requests trickle in and bigger batches are worth their latency.
   */
  maxQueueDelayMs?: number;
}

export interface ResolvedInferenceOptions {
  workers: number;
  batching: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
}

export const defaultMaxBatchSize = 32;
export const defaultMaxQueueDelayMs = 0;

/** Each worker holds every model and a tokenizer (about 90 MB): more than this rarely pays for a test server. */
export const maxDefaultWorkers = 4;

/**
 * The default pool size: one worker per core but one, at least 1 and at most
 * {@link maxDefaultWorkers}. On 2 cores that is 1 worker: the main thread has work of its own
 * (HTTP, JSON, tokenizing prompts, cutting batches), and with batching one worker running
 * bigger batches beats two running smaller ones for models this small.
 */
export function defaultWorkerCount(): number {
  return Math.min(maxDefaultWorkers, Math.max(1, availableParallelism() - 1));
}

function integerAtLeast(value: number, minimum: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer of at least ${minimum}, got ${value}.`);
  }
  return value;
}

/** Applies the defaults and rejects impossible values with a message naming the option. */
export function resolveInferenceOptions(options: InferenceServingOptions): ResolvedInferenceOptions {
  const maxQueueDelayMs = options.maxQueueDelayMs ?? defaultMaxQueueDelayMs;
  if (!Number.isFinite(maxQueueDelayMs) || maxQueueDelayMs < 0) {
    throw new RangeError(`maxQueueDelayMs must be a number of at least 0, got ${maxQueueDelayMs}.`);
  }
  return {
    workers: integerAtLeast(options.workers ?? defaultWorkerCount(), 0, 'workers'),
    batching: options.batching ?? true,
    maxBatchSize: integerAtLeast(options.maxBatchSize ?? defaultMaxBatchSize, 1, 'maxBatchSize'),
    maxQueueDelayMs,
  };
}
