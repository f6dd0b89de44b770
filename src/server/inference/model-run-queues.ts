import type { BatchPadding } from './batch-assembly.js';
import type { InferenceRunResult } from './inference-engine.js';
import type { TensorMap } from './tensor-value.js';

/** One request waiting for a model run. */
export interface QueuedRun {
  key: string;
  feeds: TensorMap;
  outputNames: readonly string[] | undefined;
  padding: BatchPadding | undefined;
  /** Rows along the batch axis; undefined when the request cannot share a batch. */
  rows: number | undefined;
  /** Requests share a batch only when these are equal (see `batchCompatibilityKey`). */
  compatibility: string;
  /** `performance.now()` when it was queued. */
  enqueuedAt: number;
  /** When it stops waiting for company: `enqueuedAt` plus its queue delay. */
  dueAt: number;
  resolve(result: InferenceRunResult): void;
  reject(error: unknown): void;
  /** Forgets the abort listener once the request has left the queue. */
  release(): void;
}

/**
 * The waiting requests of every model, one FIFO queue per engine key, and the batching rules
 * over them: when a queue is due, which queue goes first, which requests form its batch.
 *
 * @example
 * const queues = new ModelRunQueues(32);
 * queues.add(run);
 * const queue = queues.nextDue(performance.now());
 * if (queue !== undefined) execute(queues.takeBatch(queue, true));
 */
export class ModelRunQueues {
  readonly #maxBatchSize: number;
  readonly #queues = new Map<string, QueuedRun[]>();

  constructor(maxBatchSize: number) {
    this.#maxBatchSize = maxBatchSize;
  }

  add(run: QueuedRun): void {
    const queue = this.#queues.get(run.key);
    if (queue === undefined) this.#queues.set(run.key, [run]);
    else queue.push(run);
  }

  /** Takes a request out before it ran (its caller gave up); false when it already left. */
  remove(run: QueuedRun): boolean {
    const queue = this.#queues.get(run.key) ?? [];
    const index = queue.indexOf(run);
    if (index !== -1) queue.splice(index, 1);
    return index !== -1;
  }

  /** Waiting requests per engine key. */
  depths(): Map<string, number> {
    return new Map([...this.#queues].map(([key, queue]) => [key, queue.length]));
  }

  /** The earliest time any queue is due (infinity when all are empty). */
  earliestDue(): number {
    return Math.min(...[...this.#queues.values()].map((queue) => this.#dueAt(queue)));
  }

  /** The due queue whose head has waited longest, so a busy model cannot starve another. */
  nextDue(now: number): QueuedRun[] | undefined {
    let chosen: QueuedRun[] | undefined;
    for (const queue of this.#queues.values()) {
      if (this.#dueAt(queue) > now) continue;
      if (chosen === undefined || queue[0]!.enqueuedAt < chosen[0]!.enqueuedAt) chosen = queue;
    }
    return chosen;
  }

  /** The head of `queue` and, when batching, every later request that fits in its batch, in queue order. */
  takeBatch(queue: QueuedRun[], batching: boolean): QueuedRun[] {
    const head = queue.shift()!;
    const batch = [head];
    if (batching && head.rows !== undefined) {
      let rows = head.rows;
      const kept: QueuedRun[] = [];
      for (const run of queue) {
        const fits = run.rows !== undefined && rows + run.rows <= this.#maxBatchSize;
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

  /** Empties every queue, returning what was waiting. */
  drain(): QueuedRun[] {
    const runs = [...this.#queues.values()].flatMap((queue) => queue.splice(0));
    for (const run of runs) run.release();
    return runs;
  }

  /** Now (0) when a full batch is waiting, else when the head stops waiting. */
  #dueAt(queue: readonly QueuedRun[]): number {
    const head = queue[0];
    if (head === undefined) return Number.POSITIVE_INFINITY;
    let rows = 0;
    for (const run of queue) {
      // A request that cannot share a batch fills one by itself.
      rows += run.rows ?? this.#maxBatchSize;
      if (rows >= this.#maxBatchSize) return 0;
    }
    return head.dueAt;
  }
}
