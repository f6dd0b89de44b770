import { SeededRandom } from '../generation/seeded-random.js';
import { examplesAsWindows } from './context-windows.js';
import { trainWindowModel } from './train-window-model.js';
import type {
  EpochReport,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
} from './training-contract.js';
import { WindowLanguageModel, type WindowLanguageModelShape } from './window-language-model.js';

/**
 * Fine-tuning a window language model (ref-chat) from its weights: the trainer's other kind of
 * job beside TrainingSpec's dense networks. Plain data, so it crosses a worker's message port.
 * Examples are next-token windows as TrainingExamples: `contextLength` token ids per input row, one
 * target id per row.
 */
export interface WindowTrainingSpec {
  kind: 'window-language-model';
  shape: WindowLanguageModelShape;
  /** The base model's weights, in `WindowLanguageModel.parameters` order. */
  initialParameters: NetworkParameters;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

export function isWindowTrainingSpec(spec: object): spec is WindowTrainingSpec {
  return (spec as { kind?: unknown }).kind === 'window-language-model';
}

/**
 * Trains the spec's model on the windows, synchronously (TrainingWorker runs it in a thread):
 * Adam at a constant learning rate, per-epoch reports with the validation loss (mean
 * negative log-likelihood per token, nats) when `valid` is given. Deterministic for the seed;
 * resumes from any epoch's `resumeState`.
 *
 * @example
 * const parameters = trainWindowLanguageModel(spec, train, undefined, { onEpoch });
 */
export function trainWindowLanguageModel(
  spec: WindowTrainingSpec,
  train: TrainingExamples,
  valid: TrainingExamples | undefined,
  options: {
    onEpoch(report: EpochReport): void;
    signal?: { readonly aborted: boolean } | undefined;
    resume?: TrainingResumeState | undefined;
  },
): NetworkParameters {
  const { resume } = options;
  const parameters = (resume?.parameters ?? spec.initialParameters).map((values) => values.slice());
  const model = new WindowLanguageModel(spec.shape, parameters);
  const random =
    resume === undefined ? new SeededRandom(spec.seed) : SeededRandom.restore(resume.randomState);
  const schedule = {
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    learningRate: spec.learningRate,
    finalLearningRateFraction: 1,
  };
  const validWindows = valid === undefined ? undefined : examplesAsWindows(valid);
  trainWindowModel(model, random, examplesAsWindows(train), validWindows, schedule, options);
  return model.parameters;
}
