import type { SeededRandom } from '../generation/seeded-random.js';
import type { ContextWindows } from './context-windows.js';
import { AdamOptimizer } from './optimizers.js';
import { range, shuffleInPlace } from './random-arrays.js';
import type { EpochReport, TrainingResumeState } from './training-contract.js';
import type { WindowLanguageModel } from './window-language-model.js';
import { windowMeanNegativeLogLikelihood, windowTokenAccuracy } from './window-model-forward.js';

export interface WindowTrainingSchedule {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The learning rate decays linearly to this fraction of its start by the last step (1: constant). */
  finalLearningRateFraction: number;
}

export interface TrainWindowModelOptions {
  /** Called after every epoch with copies the caller may keep; `validLoss` when `valid` is given. */
  onEpoch?(report: EpochReport): void;
  /** Checked between batches (an AbortSignal, or a worker's shared flag). */
  signal?: { readonly aborted: boolean } | undefined;
  /** Continue after a checkpoint's epoch, as if training had never stopped (its parameters are already in the model). */
  resume?: TrainingResumeState | undefined;
}

function copies(arrays: readonly Float32Array[]): Float32Array[] {
  return arrays.map((array) => array.slice());
}

/**
 * Trains a window language model in place with Adam on shuffled mini-batches of next-token
 * windows, synchronously (the service runs it in a worker). Each epoch takes
 * `max(1, floor(count / batchSize))` batches, the last examples of an epoch's shuffle left for the
 * next (a set smaller than one batch is one batch). Deterministic for the `random`'s seed: the
 * script that makes ref-chat and the fine-tuning jobs share this loop. Throws a DOMException named
 * 'AbortError' when `signal` aborts between batches. Reports carry the token accuracy of the epoch's
 * last batch (after its step) and of `valid`.
 *
 * @example
 * trainWindowModel(model, new SeededRandom(1993), windows, undefined, schedule, { onEpoch });
 */
export function trainWindowModel(
  model: WindowLanguageModel,
  random: SeededRandom,
  train: ContextWindows,
  valid: ContextWindows | undefined,
  schedule: WindowTrainingSchedule,
  options: TrainWindowModelOptions = {},
): void {
  const { contextLength } = model.shape;
  const batchSize = Math.min(schedule.batchSize, train.count);
  const stepsPerEpoch = Math.max(1, Math.floor(train.count / batchSize));
  const totalSteps = stepsPerEpoch * schedule.epochs;
  const { resume, signal } = options;
  let step = resume?.step ?? 0;
  const optimizer = new AdamOptimizer(model.parameters, {
    learningRate: schedule.learningRate,
    resume: resume === undefined ? undefined : { state: resume.optimizerState, steps: step },
  });
  const workspace = model.createWorkspace(batchSize);
  const batchContexts = new Int32Array(batchSize * contextLength);
  const batchTargets = new Int32Array(batchSize);
  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= schedule.epochs; epoch++) {
    const order = shuffleInPlace(range(train.count), random.next);
    let epochLoss = 0;
    for (let batch = 0; batch < stepsPerEpoch; batch++, step++) {
      if (signal?.aborted === true) throw new DOMException('Training was cancelled', 'AbortError');
      for (let row = 0; row < batchSize; row++) {
        const example = order[batch * batchSize + row]!;
        batchTargets[row] = train.targets[example]!;
        batchContexts.set(
          train.contexts.subarray(example * contextLength, (example + 1) * contextLength),
          row * contextLength,
        );
      }
      epochLoss += model.lossAndGradients(batchContexts, batchTargets, batchSize, workspace);
      optimizer.learningRate =
        schedule.learningRate * (1 - (1 - schedule.finalLearningRateFraction) * (step / totalSteps));
      optimizer.step(workspace.gradients);
    }
    const trainLoss = epochLoss / (stepsPerEpoch * batchSize);
    if (!Number.isFinite(trainLoss))
      throw new Error(
        `Training diverged: the loss is ${trainLoss} in epoch ${epoch}; try a lower learning rate`,
      );
    if (options.onEpoch === undefined) continue;
    const validLoss = valid === undefined ? undefined : windowMeanNegativeLogLikelihood(model, valid);
    const lastBatch = { contexts: batchContexts, targets: batchTargets, count: batchSize };
    const tokenAccuracy = {
      train: windowTokenAccuracy(model, lastBatch),
      valid: valid === undefined ? undefined : windowTokenAccuracy(model, valid),
    };
    const snapshot = copies(model.parameters);
    options.onEpoch({
      epoch,
      step: step,
      trainLoss,
      validLoss,
      tokenAccuracy,
      parameters: snapshot,
      resumeState: {
        epoch,
        step,
        parameters: snapshot,
        optimizerState: optimizer.saveState(),
        randomState: random.state,
        bestLoss: Math.min(resume?.bestLoss ?? Number.POSITIVE_INFINITY, validLoss ?? trainLoss),
        epochsWithoutImprovement: 0,
      },
      stoppedEarly: false,
    });
  }
}
