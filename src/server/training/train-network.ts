import { binaryClassificationMetrics } from '../../evaluation/classification-metrics.js';
import { SeededRandom } from '../generation/seeded-random.js';
import { DenseNetwork } from './dense-network.js';
import { outputLoss } from './losses.js';
import { createOptimizer } from './optimizers.js';
import { range, shuffleInPlace, uniformArray } from './random-arrays.js';
import type {
  ClassifierMetrics,
  EpochReport,
  NetworkArchitecture,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
  TrainingSpec,
} from './training-contract.js';
import { validateExamples, validateResumeState, validateTrainingSpec } from './training-spec-validation.js';

export interface TrainNetworkOptions {
  /**
   * Called after every epoch, synchronously. The report's arrays are copies the caller may keep
   * (`parameters` and `resumeState.parameters` are the same copies: change neither).
   */
  onEpoch(report: EpochReport): void;
  /** Checked between batches (an AbortSignal, or any object with `aborted`, such as a worker's shared flag). */
  signal?: { readonly aborted: boolean } | undefined;
  /** Continue after a checkpoint's epoch, exactly as if training had never stopped. */
  resume?: TrainingResumeState | undefined;
}

/** Rows per forward pass when measuring a whole data set. */
const evaluationRows = 256;

function abortError(): Error {
  return new DOMException('Training was cancelled', 'AbortError');
}

/** He-uniform weights (what the scripts have always used) and zero biases, drawn layer by layer. */
function initialParameters(architecture: NetworkArchitecture, random: () => number): NetworkParameters {
  return architecture.layers.flatMap((layer, index) => {
    const inputs = index === 0 ? architecture.inputDim : architecture.layers[index - 1]!.units;
    return [uniformArray(layer.units * inputs, Math.sqrt(6 / inputs), random), new Float32Array(layer.units)];
  });
}

function copies(arrays: readonly Float32Array[]): Float32Array[] {
  return arrays.map((array) => array.slice());
}

/** One sigmoid output trained on 0/1 labels: the case ClassifierMetrics describe. */
function isBinaryClassifier(spec: TrainingSpec, sets: readonly TrainingExamples[]): boolean {
  const last = spec.architecture.layers.at(-1)!;
  return (
    last.units === 1 &&
    last.activation === 'sigmoid' &&
    sets.every((set) => set.targets.every((target) => target === 0 || target === 1))
  );
}

function measure(
  network: DenseNetwork,
  spec: TrainingSpec,
  examples: TrainingExamples,
  withMetrics: boolean,
): { loss: number; metrics?: ClassifierMetrics } {
  const outputs = network.predict(examples.inputs, examples.rows);
  const { activation, units } = spec.architecture.layers.at(-1)!;
  const loss =
    outputLoss(spec.loss, activation, outputs, examples.targets, examples.rows, units) +
    network.l2Penalty(spec.l2);
  if (!withMetrics) return { loss };
  const { accuracy, precision, recall, f1, rocAuc, logLoss } = binaryClassificationMetrics(
    outputs,
    examples.targets,
  );
  return { loss, metrics: { accuracy, precision, recall, f1, rocAuc, logLoss } };
}

/**
 * Trains a dense network with mini-batch gradient descent, synchronously (run it in a worker:
 * see TrainingWorker). Deterministic: the same spec, data and seed give bit-identical parameters,
 * and resuming from any epoch's `resumeState` ends where an uninterrupted run ends. Throws an
 * InvalidOptionError naming the field for a bad spec or data set, an Error when the loss stops
 * being finite, and a DOMException named 'AbortError' when `signal` aborts between batches.
 */
export function trainNetwork(
  spec: TrainingSpec,
  train: TrainingExamples,
  valid: TrainingExamples | undefined,
  options: TrainNetworkOptions,
): NetworkParameters {
  validateTrainingSpec(spec);
  validateExamples(train, spec, 'train');
  if (valid !== undefined) validateExamples(valid, spec, 'valid');
  const { resume, signal } = options;
  if (resume !== undefined) validateResumeState(resume, spec);

  const random =
    resume === undefined ? new SeededRandom(spec.seed) : SeededRandom.restore(resume.randomState);
  const parameters =
    resume !== undefined
      ? copies(resume.parameters)
      : spec.initialParameters !== undefined
        ? copies(spec.initialParameters)
        : initialParameters(spec.architecture, random.next);
  const network = new DenseNetwork(spec.architecture, parameters, Math.max(spec.batchSize, evaluationRows));
  let step = resume?.step ?? 0;
  const optimizer = createOptimizer(
    spec.optimizer,
    parameters,
    spec.learningRate,
    resume === undefined ? undefined : { state: resume.optimizerState, steps: step },
  );
  const withMetrics = isBinaryClassifier(spec, valid === undefined ? [train] : [train, valid]);
  const patience = spec.earlyStoppingPatience ?? Number.POSITIVE_INFINITY;
  let bestLoss = resume?.bestLoss ?? Number.POSITIVE_INFINITY;
  let epochsWithoutImprovement = resume?.epochsWithoutImprovement ?? 0;
  if (epochsWithoutImprovement >= patience) return parameters;

  const { inputDim } = spec.architecture;
  const outputUnits = network.outputUnits;
  const batchInputs = new Float32Array(spec.batchSize * inputDim);
  const batchTargets = new Float32Array(spec.batchSize * outputUnits);
  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= spec.epochs; epoch++) {
    const order = shuffleInPlace(range(train.rows), random.next);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += spec.batchSize) {
      if (signal?.aborted === true) throw abortError();
      const rows = Math.min(spec.batchSize, order.length - start);
      for (let row = 0; row < rows; row++) {
        const example = order[start + row]!;
        batchInputs.set(train.inputs.subarray(example * inputDim, (example + 1) * inputDim), row * inputDim);
        batchTargets.set(
          train.targets.subarray(example * outputUnits, (example + 1) * outputUnits),
          row * outputUnits,
        );
      }
      epochLoss += network.lossAndGradients(batchInputs, batchTargets, rows, spec.loss, spec.l2) * rows;
      optimizer.step(network.gradients);
      step++;
    }
    const trainLoss = epochLoss / train.rows;
    if (!Number.isFinite(trainLoss))
      throw new Error(
        `Training diverged: the loss is ${trainLoss} in epoch ${epoch}; try a lower learning rate`,
      );
    const measured = measure(network, spec, valid ?? train, withMetrics);
    const validLoss = valid === undefined ? undefined : measured.loss;
    const monitored = validLoss ?? trainLoss;
    if (monitored < bestLoss) {
      bestLoss = monitored;
      epochsWithoutImprovement = 0;
    } else epochsWithoutImprovement++;
    const stoppedEarly = epochsWithoutImprovement >= patience && epoch < spec.epochs;
    const snapshot = copies(parameters);
    options.onEpoch({
      epoch,
      step,
      trainLoss,
      validLoss,
      metrics: measured.metrics,
      parameters: snapshot,
      resumeState: {
        epoch,
        step,
        parameters: snapshot,
        optimizerState: optimizer.saveState(),
        randomState: random.state,
        bestLoss,
        epochsWithoutImprovement,
      },
      stoppedEarly,
    });
    if (stoppedEarly) break;
  }
  return parameters;
}
