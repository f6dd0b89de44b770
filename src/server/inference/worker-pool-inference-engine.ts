import type { SamplingOptions } from '../generation/model-contracts.js';
import { resolveWorkerEntry, type WorkerEntry } from '../workers/worker-entry.js';
import { DecodingSequences } from './decoding-sequences.js';
import type { InferenceEngine, InferenceRunResult } from './inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import { InferenceWorkerThread } from './inference-worker-thread.js';
import type { ModelSignature } from './model-signature.js';
import type { DecodingSequence, SequenceDecoder } from './sequence-decoder.js';
import type { DecoderSpec } from './sequence-messages.js';
import type { TensorMap } from './tensor-value.js';

export interface WorkerPoolOptions {
  /** Threads to start; each loads every model. */
  workers: number;
  /** Receives the decode iterations (tensor runs are reported by the batching engine). */
  observer?: InferenceObserver | undefined;
  /** Told when a thread died and was replaced (the commands it held failed). */
  onWorkerReplaced?(error: Error): void;
}

interface PoolThread {
  thread: InferenceWorkerThread;
  sequences: DecodingSequences;
}

/**
 * Runs models in a pool of worker threads, so onnxruntime's blocking `run()` (and sampling)
 * never holds the main thread's event loop. Every thread loads every model (the reference
 * models are a few MB); a run goes to the thread with the fewest commands outstanding, a new
 * sequence to the one with the fewest open sequences. A thread that dies after it was up is
 * replaced and its models loaded again; the commands and sequences it held fail.
 *
 * @example
 * const engine = new WorkerPoolInferenceEngine({ workers: 2 });
 * await engine.load('ref-embed/1', modelPath);
 * await engine.close(); // terminates the threads
 */
export class WorkerPoolInferenceEngine implements InferenceEngine, SequenceDecoder {
  readonly #entry: WorkerEntry;
  readonly #options: WorkerPoolOptions;
  readonly #threads: PoolThread[];
  /** What every thread has loaded, in order, so a replacement thread can load it again. */
  readonly #models = new Map<string, string>();
  readonly #decoders = new Map<string, DecoderSpec>();
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}.`);
    }
    this.#options = options;
    this.#entry = resolveWorkerEntry(import.meta.url, 'inference/inference-worker');
    this.#threads = Array.from({ length: options.workers }, (_, index) => this.#start(index));
  }

  async load(key: string, modelPath: string): Promise<ModelSignature> {
    this.#throwIfClosed();
    if (this.#models.has(key)) throw new Error(`A model is already loaded as '${key}'.`);
    const outcomes = await Promise.allSettled(
      this.#threads.map(({ thread }) => thread.send({ kind: 'load', key, modelPath })),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      // Leave no thread holding a session the registry will never know about.
      await this.unload(key);
      throw failed.reason;
    }
    this.#models.set(key, modelPath);
    return (outcomes[0] as PromiseFulfilledResult<ModelSignature>).value;
  }

  run(key: string, feeds: TensorMap, outputNames?: readonly string[]): Promise<InferenceRunResult> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    const { thread } = this.#pick((candidate) => candidate.thread.pendingCount);
    return thread.send({ kind: 'run', key, feeds, outputNames });
  }

  async loadDecoder(key: string, spec: DecoderSpec): Promise<void> {
    this.#throwIfClosed();
    await Promise.all(this.#threads.map(({ thread }) => thread.send({ kind: 'load-decoder', key, spec })));
    this.#decoders.set(key, spec);
  }

  openSequence(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    this.#throwIfClosed();
    return this.#pick((candidate) => candidate.sequences.openCount).sequences.open(key, promptIds, options);
  }

  /** Decode steps requested and not answered yet, per engine key. */
  waitingSteps(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const { sequences } of this.#threads) {
      for (const [key, depth] of sequences.waitingSteps()) depths.set(key, (depths.get(key) ?? 0) + depth);
    }
    return depths;
  }

  async unload(key: string): Promise<void> {
    this.#models.delete(key);
    this.#decoders.delete(key);
    await Promise.all(
      this.#threads.map(({ thread }) => thread.send({ kind: 'unload', key }).catch(() => undefined)),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#threads.map(({ thread }) => thread.terminate()));
    for (const { sequences } of this.#threads)
      sequences.failAll(new Error('The inference engine is closed.'));
  }

  #start(index: number): PoolThread {
    const thread: InferenceWorkerThread = new InferenceWorkerThread(this.#entry, {
      onReport: (report) => sequences.receive(report),
      onExit: (error) => this.#replace(index, error),
    });
    const sequences = new DecodingSequences((message) => thread.post(message), this.#options.observer);
    return { thread, sequences };
  }

  #replace(index: number, error: Error): void {
    this.#threads[index]?.sequences.failAll(error);
    // A thread that never loaded anything failed at start-up: starting another would fail the same way.
    if (this.#closed || this.#models.size === 0) return;
    const replacement = this.#start(index);
    this.#threads[index] = replacement;
    // Commands run in arrival order in the thread, so work sent from now on waits behind these loads.
    for (const [key, modelPath] of this.#models) {
      replacement.thread.send({ kind: 'load', key, modelPath }).catch(() => undefined);
    }
    for (const [key, spec] of this.#decoders) {
      replacement.thread.send({ kind: 'load-decoder', key, spec }).catch(() => undefined);
    }
    this.#options.onWorkerReplaced?.(error);
  }

  /** The live thread with the least `load`. */
  #pick(load: (candidate: PoolThread) => number): PoolThread {
    let best = this.#threads[0]!;
    for (const candidate of this.#threads) {
      if (candidate.thread.alive && (!best.thread.alive || load(candidate) < load(best))) best = candidate;
    }
    return best;
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('The inference engine is closed.');
  }
}
