import type { InferenceEngine, InferenceRunResult } from './inference-engine.js';
import { type InferenceWorkerEntry, resolveInferenceWorkerEntry } from './inference-worker-entry.js';
import { InferenceWorkerThread } from './inference-worker-thread.js';
import type { ModelSignature } from './model-signature.js';
import type { TensorMap } from './tensor-value.js';

export interface WorkerPoolOptions {
  /** Threads to start; each loads every model. */
  workers: number;
  /** Told when a thread died and was replaced (the commands it held failed). */
  onWorkerReplaced?(error: Error): void;
}

/**
 * Runs models in a pool of worker threads, so onnxruntime's blocking `run()` never holds
 * the main thread's event loop. Every thread loads every model (the reference models are a
 * few MB); a run goes to the thread with the fewest commands outstanding. A thread that dies
 * after it was up is replaced and its models loaded again; the commands it held fail.
 *
 * @example
 * const engine = new WorkerPoolInferenceEngine({ workers: 2 });
 * await engine.load('ref-embed/1', modelPath);
 * await engine.close(); // terminates the threads
 */
export class WorkerPoolInferenceEngine implements InferenceEngine {
  readonly #entry: InferenceWorkerEntry;
  readonly #options: WorkerPoolOptions;
  readonly #threads: InferenceWorkerThread[];
  /** Loaded models, in load order, so a replacement thread can load them again. */
  readonly #models = new Map<string, string>();
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}.`);
    }
    this.#options = options;
    this.#entry = resolveInferenceWorkerEntry(import.meta.url);
    this.#threads = Array.from({ length: options.workers }, (_, index) => this.#start(index));
  }

  get workers(): number {
    return this.#threads.length;
  }

  async load(key: string, modelPath: string): Promise<ModelSignature> {
    this.#throwIfClosed();
    if (this.#models.has(key)) throw new Error(`A model is already loaded as '${key}'.`);
    const signatures = await Promise.allSettled(
      this.#threads.map((thread) => thread.send({ kind: 'load', key, modelPath })),
    );
    const failed = signatures.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      // Leave no thread holding a session the registry will never know about.
      await this.unload(key);
      throw failed.reason;
    }
    this.#models.set(key, modelPath);
    return (signatures[0] as PromiseFulfilledResult<ModelSignature>).value;
  }

  run(key: string, feeds: TensorMap, outputNames?: readonly string[]): Promise<InferenceRunResult> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    return this.#leastBusy().send({ kind: 'run', key, feeds, outputNames });
  }

  async unload(key: string): Promise<void> {
    this.#models.delete(key);
    await Promise.all(
      this.#threads.map((thread) => thread.send({ kind: 'unload', key }).catch(() => undefined)),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }

  #start(index: number): InferenceWorkerThread {
    return new InferenceWorkerThread(this.#entry, (error) => this.#replace(index, error));
  }

  #replace(index: number, error: Error): void {
    // A thread that never loaded anything failed at start-up: starting another would fail the same way.
    if (this.#closed || this.#models.size === 0) return;
    const thread = this.#start(index);
    this.#threads[index] = thread;
    // Commands run in arrival order in the thread, so runs sent from now on wait behind these loads.
    for (const [key, modelPath] of this.#models) {
      thread.send({ kind: 'load', key, modelPath }).catch(() => undefined);
    }
    this.#options.onWorkerReplaced?.(error);
  }

  #leastBusy(): InferenceWorkerThread {
    let best = this.#threads[0]!;
    for (const thread of this.#threads) {
      if (thread.alive && (!best.alive || thread.pendingCount < best.pendingCount)) best = thread;
    }
    return best;
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('The inference engine is closed.');
  }
}
