/**
 * What the trainer is asked to do and what it reports: the contract between the fine-tuning jobs
 * (src/server/fine-tuning/), `npm run models` (scripts/) and the trainer itself. Plain data only,
 * so every value crosses a worker thread's message port unchanged.
 */

import type { BinaryClassificationMetrics } from '../../evaluation/classification-metrics.js';

export type Activation = 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear';
export type LossName = 'binary_crossentropy' | 'categorical_crossentropy' | 'mse';
export type OptimizerName = 'adam' | 'sgd';

/** A dense feed-forward network: `inputDim` inputs, then each layer's units and activation. */
export interface NetworkArchitecture {
  inputDim: number;
  layers: readonly { units: number; activation: Activation }[];
}

/**
 * Every trainable array of a network, in layer order: `[weights_1, bias_1, weights_2, bias_2, ...]`;
 * weights are `units x inputs`, row-major (ONNX Gemm's `transB` layout).
 */
export type NetworkParameters = Float32Array[];

/** Examples as one row-major matrix: `rows x inputDim` inputs and `rows x outputUnits` targets. */
export interface TrainingExamples {
  rows: number;
  inputs: Float32Array;
  targets: Float32Array;
}

export interface TrainingSpec {
  architecture: NetworkArchitecture;
  /** Fine-tuning starts from these (same shapes as the architecture); training from scratch draws them from `seed`. */
  initialParameters?: NetworkParameters | undefined;
  loss: LossName;
  optimizer: OptimizerName;
  learningRate: number;
  /** Added to the loss as `l2 * sum(weights^2)` (biases excluded). */
  l2: number;
  epochs: number;
  batchSize: number;
  /** Same spec, data and seed give bit-identical parameters. */
  seed: number;
  /** Stop after this many epochs without a lower validation (else training) loss. */
  earlyStoppingPatience?: number | undefined;
}

/** Classifier metrics over one data set; binary classifiers report all of them. */
export type ClassifierMetrics = Pick<
  BinaryClassificationMetrics,
  'accuracy' | 'precision' | 'recall' | 'f1' | 'rocAuc' | 'logLoss'
>;

/** What one finished epoch reports; `parameters` and `resumeState` make it a checkpoint. */
export interface EpochReport {
  epoch: number;
  /** Optimizer steps taken so far (batches, over all epochs). */
  step: number;
  trainLoss: number;
  validLoss?: number | undefined;
  /** On the validation set when there is one, else the training set; binary classifiers only. */
  metrics?: ClassifierMetrics | undefined;
  /** Language models: the share of next tokens predicted right, on the epoch's last batch and on the validation set. */
  tokenAccuracy?: { train: number; valid?: number | undefined } | undefined;
  parameters: NetworkParameters;
  /** Everything needed to continue after this epoch as if never stopped (optimizer moments, random state). */
  resumeState: TrainingResumeState;
  /** True when early stopping ends training after this epoch. */
  stoppedEarly: boolean;
}

/** Opaque to callers: kept with a checkpoint and handed back to resume. */
export interface TrainingResumeState {
  epoch: number;
  step: number;
  parameters: NetworkParameters;
  optimizerState: Float32Array[];
  /** The seeded random generator's state after this epoch. */
  randomState: number[];
  bestLoss: number;
  epochsWithoutImprovement: number;
}
