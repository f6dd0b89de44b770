import type { InferenceRunResult } from './inference-worker.js';
import type { ModelSignature } from './model-signature.js';
import type { TensorMap } from './tensor-value.js';

/**
 * How one run may be batched with others. Requests are only ever batched with requests
 * for the same model that fetch the same outputs and agree on every dimension but the
 * first (and the padded ones).
 */
export interface InferenceRunOptions {
  /**
   * Inputs whose axis 1 (the sequence) may differ between batched requests, with the value
   * that pads shorter rows to the longest one. Only safe for models that ignore the padding,
   * e.g. ref-embed, whose `attention_mask` padded with 0 hides padded `input_ids`.
   */
  padding?: Readonly<Record<string, number>>;
  /**
   * How long this request may wait for others to join its batch, overriding the engine's
   * `maxQueueDelayMs`; 0 for a latency-sensitive caller that expects no company (it still
   * joins whatever is already queued).
   */
  maxQueueDelayMs?: number;
  /** A request whose signal fires before its batch starts leaves the queue with the signal's reason. */
  signal?: AbortSignal;
}

/** Where a model's session lives. */
export interface InferenceLoadOptions {
  /**
   * On threads of its own (a tenant's deployed model), so opening it never holds up the
   * server's shared models; where there are no worker threads, in the one place there is.
   */
  isolated?: boolean;
}

/**
 * The one way the server runs models on tensors. Routes and model adapters see only this
 * interface; behind it a worker-thread pool runs the sessions off the event loop and a
 * scheduler batches concurrent requests for the same model. (Generation, which keeps state
 * between steps, goes through `SequenceDecoder` instead.)
 *
 * @example
 * const signature = await engine.load('ref-classify', modelPath);
 * const { outputs, computeMilliseconds } = await engine.run('ref-classify', { input });
 */
export interface InferenceEngine {
  /** Loads an ONNX file under `key` (a model name plus version). */
  load(key: string, modelPath: string, options?: InferenceLoadOptions): Promise<ModelSignature>;
  /**
   * Runs a loaded model. With batching, `computeMilliseconds` is this request's share of its
   * batch's compute time (in proportion to its rows), so per-request metering adds up.
   */
  run(
    key: string,
    feeds: TensorMap,
    outputNames?: readonly string[],
    options?: InferenceRunOptions,
  ): Promise<InferenceRunResult>;
  /** Releases one model's session. */
  unload(key: string): Promise<void>;
  /** Releases every session; runs after this fail. */
  close(): Promise<void>;
}

export type { InferenceRunResult };
