import type { InferenceEngine, InferenceRunResult } from './inference-engine.js';
import { InferenceWorker } from './inference-worker.js';
import type { ModelSignature } from './model-signature.js';
import type { TensorMap } from './tensor-value.js';

/**
 * Runs models on the calling thread. onnxruntime's `run()` holds the event loop while it
 * computes; for the reference models that is well under a millisecond per call. Issue 3
 * replaces this with a worker pool behind the same {@link InferenceEngine} interface.
 *
 * @example
 * const engine = new InProcessInferenceEngine();
 */
export class InProcessInferenceEngine implements InferenceEngine {
  readonly #worker = new InferenceWorker();
  #closed = false;

  load(key: string, modelPath: string): Promise<ModelSignature> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    return this.#worker.load(key, modelPath);
  }

  run(key: string, feeds: TensorMap, outputNames?: readonly string[]): Promise<InferenceRunResult> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    return this.#worker.run(key, feeds, outputNames);
  }

  unload(key: string): Promise<void> {
    return this.#worker.unload(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker.close();
  }
}
