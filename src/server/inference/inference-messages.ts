import type { PackedDecodeReport } from './decode-report-codec.js';
import type { InferenceRunResult } from './inference-worker.js';
import type { ModelSignature } from './model-signature.js';
import type { DecoderSpec, SequenceCommand } from './sequence-messages.js';
import type { TensorMap } from './tensor-value.js';

/** What the main thread asks an inference worker thread to do; `id` pairs the request with its reply. */
export type InferenceCommand =
  | { id: number; kind: 'load'; key: string; modelPath: string }
  | { id: number; kind: 'run'; key: string; feeds: TensorMap; outputNames: readonly string[] | undefined }
  | { id: number; kind: 'unload'; key: string }
  | { id: number; kind: 'load-decoder'; key: string; spec: DecoderSpec }
  | { id: number; kind: 'close' };

/** What each command resolves to on the main thread. */
export interface InferenceCommandResults {
  load: ModelSignature;
  run: InferenceRunResult;
  unload: undefined;
  'load-decoder': undefined;
  close: undefined;
}

/** Everything the main thread sends a worker thread. */
export type WorkerMessage = InferenceCommand | SequenceCommand;

/**
 * What a worker thread sends back: a reply to one command (errors cross as text: an `Error`
 * loses its class when cloned), or the report of a decode iteration.
 */
export type WorkerReply =
  | { id: number; ok: true; value: InferenceCommandResults[InferenceCommand['kind']] }
  | { id: number; ok: false; message: string }
  | { id?: undefined; report: PackedDecodeReport };

/**
 * Marks the `workerData` of threads started by the worker pool, so the worker module only
 * serves commands in a thread meant for it (not, say, inside a test runner's own worker).
 */
export const inferenceWorkerMarker = 'aiaas-inference-worker';
