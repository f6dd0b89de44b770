import { InvalidOptionError } from '../../errors/index.js';
import { badRequest } from '../http/http-error.js';
import type { NetworkParameters, TrainingSpec } from '../training/training-contract.js';
import { validateTrainingSpec } from '../training/training-spec-validation.js';
import { baseLearningRate, type JobRequest } from './job-request.js';
import type { TrainingPlan } from './training-plan.js';

/** The largest network a job may train: keeps one request from taking the server's memory. */
export const maxNetworkParameters = 4_000_000;

/** The trainer's option names as the request names them. */
const requestFieldOf: Record<string, string> = {
  epochs: 'hyperparameters.n_epochs',
  batchSize: 'hyperparameters.batch_size',
  learningRate: 'hyperparameters.learning_rate_multiplier',
  l2: 'hyperparameters.l2',
  earlyStoppingPatience: 'hyperparameters.early_stopping_patience',
  loss: 'hyperparameters.loss',
  optimizer: 'hyperparameters.optimizer',
  seed: 'seed',
};

function requestField(option: string): string {
  if (option.startsWith('architecture'))
    return option.replace('inputDim', 'input_dim').replace(/\[(\d+)\]/g, '.$1');
  return requestFieldOf[option] ?? option;
}

/** What the trainer gets for a job; `initialParameters` are the base model's weights when fine-tuning. */
export function trainingSpecOf(
  request: JobRequest,
  plan: TrainingPlan,
  initialParameters?: NetworkParameters,
): TrainingSpec {
  return {
    architecture: plan.architecture,
    initialParameters,
    loss: plan.loss,
    optimizer: request.optimizer,
    learningRate: baseLearningRate * request.learningRateMultiplier,
    l2: request.l2,
    epochs: request.epochs,
    batchSize: request.batchSize,
    seed: request.seed,
    earlyStoppingPatience: request.earlyStoppingPatience,
  };
}

/**
 * Refuses, before the job exists, what the trainer would refuse (a 400 naming the request's
 * field) and networks larger than {@link maxNetworkParameters}.
 *
 * @example
 * checkTrainable(request, plan); // throws HttpError 400 with param 'architecture.layers.0.units'
 */
export function checkTrainable(request: JobRequest, plan: TrainingPlan): void {
  try {
    validateTrainingSpec(trainingSpecOf(request, plan));
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const field = requestField(error.option ?? '');
    throw badRequest(`Invalid request: ${field}: ${error.message.replace(/^[^:]*: /, '')}`, field);
  }
  let parameters = 0;
  let inputs = plan.architecture.inputDim;
  for (const layer of plan.architecture.layers) {
    parameters += (inputs + 1) * layer.units;
    inputs = layer.units;
  }
  if (parameters > maxNetworkParameters)
    throw badRequest(
      `The architecture has ${parameters} parameters; at most ${maxNetworkParameters} are trained here.`,
      'architecture',
    );
}
