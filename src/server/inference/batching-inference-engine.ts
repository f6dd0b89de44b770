import {
  type BatchPadding,
  batchCompatibilityKey,
  batchRowsOf,
  concatenateFeeds,
  splitOutputs,
} from './batch-assembly.js';
import type { InferenceEngine, InferenceRunOptions, InferenceRunResult } from './inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import { isBatchable, type ModelSignature } from './model-signature.js';
import type { TensorMap } from './tensor-value.js';

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

interface QueuedRun {
  key: string;
  feeds: TensorMap;
  outputNames: readonly string[] | undefined;
  padding: BatchPadding | undefined;
  /** undefined: cannot share a batch. */
  rows: number | undefined;
  compatibility: string;
  enqueuedAt: number;
  eligibleAt: number;
  resolve(result: InferenceRunResult): void;
  reject(error: unknown): void;
  /** Forgets the abort listener once the run has left the queue. */
  release(): void;
}

/** Timers fire on whole milliseconds of loop time: a head due within this is due now. */
const timerSlackMilliseconds = 1;

/**
 * Dynamic batching in front of an engine that runs models (the worker pool): concurrent runs
 * of one model wait in that model's queue until the batch is full (`maxBatchSize` rows) or
 * the oldest has waited `maxQueueDelayMs`, and a run slot is free; then every compatible
 * queued request is concatenated along the batch axis, run once, and the outputs are cut
 * back into each request's rows. While every slot is busy queues keep growing, so batches
 * get bigger exactly when the load is high. A batch that fails is retried request by
 * request, so one bad request never fails its neighbours.
 *
 * @example
 * const engine = new BatchingInferenceEngine(new WorkerPoolInferenceEngine({ workers: 1 }), {
 *   enabled: true, maxBatchSize: 32, maxQueueDelayMs: 2, concurrency: 1,
 * });
 */
export class BatchingInferenceEngine implements InferenceEngine {
  readonly #runner: InferenceEngine;
  readonly #options: BatchingOptions;
  readonly #queues = new Map<string, QueuedRun[]>();
  readonly #batchable = new Map<string, boolean>();
  readonly #running = new Set<Promise<void>>();
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(runner: InferenceEngine, options: BatchingOptions) {
    this.#runner = runner;
    this.#options = options;
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
    return new Promise((resolve, reject) => {
      const enqueuedAt = performance.now();
      const queue = this.#queueOf(key);
      const onAbort = () => {
        const index = queue.indexOf(run);
        if (index === -1) return;
        queue.splice(index, 1);
        reject(signal!.reason);
      };
      const run: QueuedRun = {
        key,
        feeds,
        outputNames,
        padding,
        rows: this.#batchable.get(key) === true ? batchRowsOf(feeds) : undefined,
        compatibility: batchCompatibilityKey(feeds, outputNames, padding),
        enqueuedAt,
        eligibleAt:
          enqueuedAt +
          (this.#options.enabled ? (options.maxQueueDelayMs ?? this.#options.maxQueueDelayMs) : 0),
        resolve,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(run);
      this.#schedule();
    });
  }

  unload(key: string): Promise<void> {
    this.#batchable.delete(key);
    return this.#runner.unload(key);
  }

  /** Requests waiting for a batch, per engine key (the `aiaas_queue_depth` gauge). */
  queuedRequests(): Map<string, number> {
    return new Map([...this.#queues].map(([key, queue]) => [key, queue.length]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearImmediate(this.#immediate);
    clearTimeout(this.#timer);
    const error = new Error('The inference engine is closed.');
    for (const queue of this.#queues.values()) {
      for (const run of queue.splice(0)) {
        run.release();
        run.reject(error);
      }
    }
    await Promise.all(this.#running);
    await this.#runner.close();
  }

  #queueOf(key: string): QueuedRun[] {
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(key, queue);
    }
    return queue;
  }

  /** When the head of `queue` may start: now if a full batch is waiting, else at its deadline. */
  #dueAt(queue: readonly QueuedRun[]): number {
    const head = queue[0];
    if (head === undefined) return Number.POSITIVE_INFINITY;
    let rows = 0;
    for (const run of queue) {
      rows += run.rows ?? this.#options.maxBatchSize;
      if (rows >= this.#options.maxBatchSize) return 0;
    }
    return head.eligibleAt;
  }

  /** Arranges for `#dispatch` to run when the earliest queue head is due (on the next turn if it is due now). */
  #schedule(): void {
    if (this.#closed || this.#running.size >= this.#options.concurrency) return;
    const dueAt = Math.min(...[...this.#queues.values()].map((queue) => this.#dueAt(queue)));
    if (dueAt === Number.POSITIVE_INFINITY) return;
    const wait = dueAt - performance.now();
    if (wait <= timerSlackMilliseconds) {
      // The next turn, not now: runs resolved by the batch that just finished queue their next step meanwhile.
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
      let chosen: QueuedRun[] | undefined;
      for (const queue of this.#queues.values()) {
        if (this.#dueAt(queue) > now + timerSlackMilliseconds) continue;
        // Oldest head first, so one busy model cannot starve another.
        if (chosen === undefined || queue[0]!.enqueuedAt < chosen[0]!.enqueuedAt) chosen = queue;
      }
      if (chosen === undefined) break;
      const batch = this.#take(chosen);
      const running = this.#execute(batch, now).finally(() => {
        this.#running.delete(running);
        this.#schedule();
      });
      this.#running.add(running);
    }
    this.#schedule();
  }

  /** The head of `queue` and every queued request that fits in its batch, in queue order. */
  #take(queue: QueuedRun[]): QueuedRun[] {
    const head = queue.shift()!;
    const batch = [head];
    if (this.#options.enabled && head.rows !== undefined) {
      let rows = head.rows;
      const kept: QueuedRun[] = [];
      for (const run of queue) {
        const fits = run.rows !== undefined && rows + run.rows <= this.#options.maxBatchSize;
        if (fits && run.compatibility === head.compatibility) {
          batch.push(run);
          rows += run.rows!;
        } else kept.push(run);
      }
      queue.splice(0, queue.length, ...kept);
    }
    for (const run of batch) run.release();
    return batch;
  }

  async #execute(batch: readonly QueuedRun[], startedAt: number): Promise<void> {
    const queueSeconds = batch.reduce((sum, run) => sum + (startedAt - run.enqueuedAt), 0) / 1000;
    const head = batch[0]!;
    if (batch.length === 1) return this.#runAlone(head, queueSeconds);
    const rowsPerRun = batch.map((run) => run.rows!);
    const totalRows = rowsPerRun.reduce((sum, rows) => sum + rows, 0);
    const feeds = concatenateFeeds(
      batch.map((run, index) => ({ feeds: run.feeds, rows: rowsPerRun[index]! })),
      head.padding,
    );
    const result = await this.#runner.run(head.key, feeds, head.outputNames).catch(() => undefined);
    const parts = result === undefined ? undefined : splitOutputs(result.outputs, rowsPerRun);
    if (result === undefined || parts === undefined) {
      this.#record(head.key, 0, totalRows, 0, result?.computeMilliseconds ?? 0, false);
      // One by one, so only the request at fault fails (its queue time is already counted here).
      for (const [index, run] of batch.entries()) await this.#runAlone(run, index === 0 ? queueSeconds : 0);
      return;
    }
    this.#record(head.key, batch.length, totalRows, queueSeconds, result.computeMilliseconds, true);
    batch.forEach((run, index) => {
      const share = (result.computeMilliseconds * rowsPerRun[index]!) / totalRows;
      run.resolve({ outputs: parts[index]!, computeMilliseconds: share });
    });
  }

  async #runAlone(run: QueuedRun, queueSeconds: number): Promise<void> {
    try {
      const result = await this.#runner.run(run.key, run.feeds, run.outputNames);
      this.#record(run.key, 1, run.rows ?? 1, queueSeconds, result.computeMilliseconds, true);
      run.resolve(result);
    } catch (error) {
      this.#record(run.key, 1, run.rows ?? 1, queueSeconds, 0, false);
      run.reject(error);
    }
  }

  #record(
    key: string,
    requests: number,
    rows: number,
    queueSeconds: number,
    computeMilliseconds: number,
    succeeded: boolean,
  ): void {
    this.#options.observer?.batchCompleted({
      key,
      requests,
      rows,
      queueSeconds,
      computeSeconds: computeMilliseconds / 1000,
      succeeded,
    });
  }
}
