import type {
  EpochReport,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
  TrainingSpec,
} from './training-contract.js';
import type { WindowTrainingSpec } from './window-training.js';

/** The one message a training thread receives. */
export interface TrainCommand {
  spec: TrainingSpec | WindowTrainingSpec;
  train: TrainingExamples;
  valid: TrainingExamples | undefined;
  resume: TrainingResumeState | undefined;
  /** Int32Array[0] becomes 1 when the run is cancelled; the thread checks it between batches. */
  cancelFlag: SharedArrayBuffer;
}

/** An error thrown in the thread, as plain data (classes do not cross a message port). */
export interface TrainingFailure {
  name: string;
  message: string;
  /** Set for an InvalidOptionError: the field that was wrong and what it accepts. */
  option?: string | undefined;
  allowed?: string | undefined;
}

export type TrainingReply =
  | { kind: 'epoch'; report: EpochReport }
  | { kind: 'done'; parameters: NetworkParameters }
  | { kind: 'failed'; error: TrainingFailure };

/** Each distinct ArrayBuffer under `arrays` once (a transfer list may not repeat one); shared memory is left out. */
export function transferList(arrays: readonly Float32Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  return [...buffers];
}
