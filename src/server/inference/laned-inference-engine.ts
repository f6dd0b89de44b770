import type { SamplingOptions } from '../generation/model-contracts.js';
import type { BatchingInferenceEngine } from './batching-inference-engine.js';
import type {
  InferenceEngine,
  InferenceLoadOptions,
  InferenceRunOptions,
  InferenceRunResult,
} from './inference-engine.js';
import type { ModelSignature } from './model-signature.js';
import type { DecodingSequence, SequenceDecoder } from './sequence-decoder.js';
import type { DecoderSpec } from './sequence-messages.js';
import type { TensorMap } from './tensor-value.js';

/**
 * Two engines behind one: the shared lane runs the server's own models, the isolated lane (its
 * own worker thread, started on first use) runs the models tenants deploy. Opening a session
 * holds its thread for as long as onnxruntime builds it (~20 ms for a 3 MiB model), so a tenant
 * loading models over and over must not hold up everyone else's requests; Triton gives each
 * model instance threads of its own for the same reason. Each lane batches its own queue.
 *
 * @example
 * await engine.load('tenant/iris/1#1', path, { isolated: true }); // never on the shared threads
 */
export class LanedInferenceEngine implements InferenceEngine, SequenceDecoder {
  readonly #shared: BatchingInferenceEngine;
  readonly #startIsolated: () => BatchingInferenceEngine;
  #isolated: BatchingInferenceEngine | undefined;
  /** Keys loaded in the isolated lane. */
  readonly #isolatedKeys = new Set<string>();

  constructor(shared: BatchingInferenceEngine, startIsolated: () => BatchingInferenceEngine) {
    this.#shared = shared;
    this.#startIsolated = startIsolated;
  }

  async load(key: string, modelPath: string, options: InferenceLoadOptions = {}): Promise<ModelSignature> {
    if (options.isolated !== true) return this.#shared.load(key, modelPath);
    this.#isolated ??= this.#startIsolated();
    const signature = await this.#isolated.load(key, modelPath);
    this.#isolatedKeys.add(key);
    return signature;
  }

  run(
    key: string,
    feeds: TensorMap,
    outputNames?: readonly string[],
    options?: InferenceRunOptions,
  ): Promise<InferenceRunResult> {
    return this.#laneOf(key).run(key, feeds, outputNames, options);
  }

  unload(key: string): Promise<void> {
    const lane = this.#laneOf(key);
    this.#isolatedKeys.delete(key);
    return lane.unload(key);
  }

  loadDecoder(key: string, spec: Omit<DecoderSpec, 'maxBatchSize'>): Promise<void> {
    return this.#shared.loadDecoder(key, spec);
  }

  openSequence(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    return this.#shared.openSequence(key, promptIds, options);
  }

  /** Requests and decode steps waiting for a batch, per engine key, in both lanes. */
  queuedRequests(): Map<string, number> {
    const depths = this.#shared.queuedRequests();
    for (const [key, depth] of this.#isolated?.queuedRequests() ?? []) depths.set(key, depth);
    return depths;
  }

  async close(): Promise<void> {
    await Promise.all([this.#shared.close(), this.#isolated?.close()]);
  }

  #laneOf(key: string): BatchingInferenceEngine {
    return this.#isolatedKeys.has(key) && this.#isolated !== undefined ? this.#isolated : this.#shared;
  }
}
