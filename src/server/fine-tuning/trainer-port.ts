import type {
  EpochReport,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
  TrainingSpec,
} from '../training/training-contract.js';
import type { WindowTrainingSpec } from '../training/window-training.js';

/** One training in progress (the trainer's `TrainingRun`). */
export interface TrainerRun {
  done: Promise<NetworkParameters>;
  /** Stops within one batch; `done` then rejects. */
  cancel(): void;
}

/** What the jobs need of the trainer: `TrainingWorker.start`, a worker thread per run. */
export type StartTraining = (
  spec: TrainingSpec | WindowTrainingSpec,
  train: TrainingExamples,
  valid: TrainingExamples | undefined,
  options: { resume?: TrainingResumeState | undefined; onEpoch(report: EpochReport): void },
) => TrainerRun;
