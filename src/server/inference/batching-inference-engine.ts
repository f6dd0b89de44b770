import type { SamplingOptions } from '../generation/model-contracts.js';
import { batchCompatibilityKey, batchRowsOf } from './batch-assembly.js';
import { executeBatch } from './execute-batch.js';
import type { InferenceEngine, InferenceRunOptions, InferenceRunResult } from './inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import { ModelRunQueues, type QueuedRun } from './model-run-queues.js';
import { isBatchable, type ModelSignature } from './model-signature.js';
import type { DecodingSequence, SequenceDecoder } from './sequence-decoder.js';
import type { DecoderSpec } from './sequence-messages.js';
import type { TensorMap } from './tensor-value.js';

/** What the batching engine drives: the worker pool, or the in-process engine. */
export type InferenceRunner = InferenceEngine &
  SequenceDecoder & {
    /** Decode steps requested and not answered yet, per engine key. */
    waitingSteps(): Map<string, number>;
  };

export interface BatchingOptions {
  /** false: every request runs alone (the baseline a benchmark compares batching with). */
  enabled: boolean;
  /** Most rows in one model run; a request with more rows than this runs alone, never split. */
  maxBatchSize: number;
  /** How long the oldest queued request of a model waits for others before its batch starts. */
  maxQueueDelayMs: number;
  /**
   * Model runs in flight at once: one per worker thread. Work beyond that waits here, where
   * it can still join a batch, instead of in a busy thread's message queue.
   */
  concurrency: number;
  observer?: InferenceObserver | undefined;
}

/** Timers fire on whole milliseconds of loop time: a queue due within this is due now. */
const timerSlackMilliseconds = 1;

/**
 * Dynamic batching in front of an engine that runs models (the worker pool): concurrent runs
 * of one model wait in that model's queue until the batch is full (`maxBatchSize` rows) or
 * the oldest has waited `maxQueueDelayMs`, and a run slot is free; then every compatible
 * queued request is concatenated along the batch axis, run once, and the outputs are cut
 * back into each request's rows. While every slot is busy queues keep growing, so batches
 * get bigger exactly when the load is high. A batch that fails is retried request by
 * request, so one bad request never fails its neighbours. Generation is passed through to
 * the runner, which batches decode steps next to the session (`ContinuousDecodeBatcher`).
 *
 * @example
 * const engine = new BatchingInferenceEngine(new WorkerPoolInferenceEngine({ workers: 1 }), {
 *   enabled: true, maxBatchSize: 32, maxQueueDelayMs: 2, concurrency: 1,
 * });
 */
export class BatchingInferenceEngine implements InferenceEngine, SequenceDecoder {
  readonly #runner: InferenceRunner;
  readonly #options: BatchingOptions;
  readonly #queues: ModelRunQueues;
  readonly #batchable = new Map<string, boolean>();
  readonly #running = new Set<Promise<void>>();
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(runner: InferenceRunner, options: BatchingOptions) {
    this.#runner = runner;
    this.#options = options;
    this.#queues = new ModelRunQueues(options.maxBatchSize);
  }

  async load(key: string, modelPath: string): Promise<ModelSignature> {
    const signature = await this.#runner.load(key, modelPath);
    this.#batchable.set(key, isBatchable(signature));
    return signature;
  }

  run(
    key: string,
    feeds: TensorMap,
    outputNames?: readonly string[],
    options: InferenceRunOptions = {},
  ): Promise<InferenceRunResult> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    const { signal, padding } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const enqueuedAt = performance.now();
    const delay = this.#options.enabled ? (options.maxQueueDelayMs ?? this.#options.maxQueueDelayMs) : 0;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (this.#queues.remove(run)) reject(signal!.reason);
      };
      const run: QueuedRun = {
        key,
        feeds,
        outputNames,
        padding,
        rows: this.#batchable.get(key) === true ? batchRowsOf(feeds) : undefined,
        compatibility: batchCompatibilityKey(feeds, outputNames, padding),
        enqueuedAt,
        dueAt: enqueuedAt + delay,
        resolve,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queues.add(run);
      this.#schedule();
    });
  }

  /**
   * Generation is batched where the sequences live, next to the session (see
   * `ContinuousDecodeBatcher`), up to `maxBatchSize` sequences per step; one without batching.
   */
  loadDecoder(key: string, spec: Omit<DecoderSpec, 'maxBatchSize'>): Promise<void> {
    const maxBatchSize = this.#options.enabled ? this.#options.maxBatchSize : 1;
    return this.#runner.loadDecoder(key, { ...spec, maxBatchSize });
  }

  openSequence(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    if (this.#closed) throw new Error('The inference engine is closed.');
    return this.#runner.openSequence(key, promptIds, options);
  }

  unload(key: string): Promise<void> {
    this.#batchable.delete(key);
    return this.#runner.unload(key);
  }

  /** Requests and decode steps waiting for a batch, per engine key (the `aiaas_queue_depth` gauge). */
  queuedRequests(): Map<string, number> {
    const depths = this.#queues.depths();
    for (const [key, steps] of this.#runner.waitingSteps()) depths.set(key, (depths.get(key) ?? 0) + steps);
    return depths;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearImmediate(this.#immediate);
    clearTimeout(this.#timer);
    const error = new Error('The inference engine is closed.');
    for (const run of this.#queues.drain()) run.reject(error);
    await Promise.all(this.#running);
    await this.#runner.close();
  }

  /** Arranges for `#dispatch` to run when the earliest queue is due (on the next turn if it is due now). */
  #schedule(): void {
    if (this.#closed || this.#running.size >= this.#options.concurrency) return;
    const dueAt = this.#queues.earliestDue();
    if (dueAt === Number.POSITIVE_INFINITY) return;
    const wait = dueAt - performance.now();
    if (wait <= timerSlackMilliseconds) {
      // The next turn, not now: callers resolved by the batch that just ended queue their next step meanwhile.
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#dispatch();
      });
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = dueAt;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#dispatch();
    }, Math.ceil(wait));
  }

  #dispatch(): void {
    while (!this.#closed && this.#running.size < this.#options.concurrency) {
      const now = performance.now();
      const queue = this.#queues.nextDue(now + timerSlackMilliseconds);
      if (queue === undefined) break;
      const batch = this.#queues.takeBatch(queue, this.#options.enabled);
      const running = executeBatch(this.#runner, batch, now, this.#options.observer).finally(() => {
        this.#running.delete(running);
        this.#schedule();
      });
      this.#running.add(running);
    }
    this.#schedule();
  }
}
