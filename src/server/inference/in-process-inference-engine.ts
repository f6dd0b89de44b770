import type { SamplingOptions } from '../generation/model-contracts.js';
import { unpackDecodeReport } from './decode-report-codec.js';
import { DecodingSequences } from './decoding-sequences.js';
import type { InferenceEngine, InferenceRunResult } from './inference-engine.js';
import type { InferenceObserver } from './inference-observer.js';
import { InferenceWorker } from './inference-worker.js';
import type { ModelSignature } from './model-signature.js';
import type { DecodingSequence, SequenceDecoder } from './sequence-decoder.js';
import type { DecoderSpec } from './sequence-messages.js';
import { InferenceCommandServer } from './serve-inference-commands.js';
import type { TensorMap } from './tensor-value.js';

/**
 * Runs models on the calling thread. onnxruntime's `run()` holds the event loop while it
 * computes, so the server uses the worker pool instead; this one serves `workers: 0`
 * (debugging, profiling a model without threads) and tests. Sequences are decoded by the
 * same batcher a worker thread uses, called directly.
 *
 * @example
 * const engine = new InProcessInferenceEngine();
 */
export class InProcessInferenceEngine implements InferenceEngine, SequenceDecoder {
  readonly #worker = new InferenceWorker();
  readonly #server: InferenceCommandServer;
  readonly #sequences: DecodingSequences;
  #closed = false;

  constructor(observer?: InferenceObserver) {
    this.#server = new InferenceCommandServer(this.#worker, (reply) => {
      if (reply.id === undefined) this.#sequences.receive(unpackDecodeReport(reply.report));
    });
    this.#sequences = new DecodingSequences((message) => this.#server.receive(message), observer);
  }

  load(key: string, modelPath: string): Promise<ModelSignature> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    return this.#worker.load(key, modelPath);
  }

  run(key: string, feeds: TensorMap, outputNames?: readonly string[]): Promise<InferenceRunResult> {
    if (this.#closed) return Promise.reject(new Error('The inference engine is closed.'));
    return this.#worker.run(key, feeds, outputNames);
  }

  loadDecoder(key: string, spec: DecoderSpec): Promise<void> {
    return this.#server.loadDecoder(key, spec);
  }

  openSequence(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    if (this.#closed) throw new Error('The inference engine is closed.');
    return this.#sequences.open(key, promptIds, options);
  }

  waitingSteps(): Map<string, number> {
    return this.#sequences.waitingSteps();
  }

  unload(key: string): Promise<void> {
    return this.#worker.unload(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sequences.failAll(new Error('The inference engine is closed.'));
    await this.#worker.close();
  }
}
