import { z } from 'zod';
import {
  fineTuningHyperparametersSchema,
  type SequentialArchitecture,
  sequentialArchitectureSchema,
} from '../../wire/openai/fine-tuning-schemas.js';
import { badRequest } from '../http/http-error.js';
import { parseRequest } from '../routes/parse-request.js';
import type { LossName, OptimizerName } from '../training/training-contract.js';

/** The model trained from scratch from the request's `architecture` (aiaas's extension). */
export const sequentialModel = 'aiaas/sequential';
/** The Keras example's defaults: `fit(epochs=10, batch_size=32)`, adam at 0.001. */
export const defaultEpochs = 10;
export const defaultBatchSize = 32;
export const baseLearningRate = 0.001;
/** Each epoch is an event, a checkpoint and a write of the job: bounded, so one job cannot flood them. */
export const maxEpochs = 1000;
/** Seeds fit the trainer's 32-bit generator. */
const maxSeed = 2 ** 31 - 1;

const knownFields = [
  'model',
  'training_file',
  'validation_file',
  'hyperparameters',
  'seed',
  'suffix',
  'metadata',
  'architecture',
  'method',
];
const knownHyperparameters = [
  'n_epochs',
  'batch_size',
  'learning_rate_multiplier',
  'optimizer',
  'loss',
  'l2',
  'early_stopping_patience',
];

const createJobSchema = z.object({
  model: z.string().min(1),
  training_file: z.string().min(1),
  validation_file: z.string().min(1).nullish(),
  hyperparameters: fineTuningHyperparametersSchema.optional(),
  seed: z.number().int().min(0).max(maxSeed).nullish(),
  suffix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'up to 64 letters, digits, -, _ or .')
    .nullish(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((value) => Object.keys(value).length <= 16, 'at most 16 keys')
    .nullish(),
  architecture: sequentialArchitectureSchema.optional(),
});

/** A create request with every default applied: what the job reports and trains with. */
export interface JobRequest {
  model: string;
  trainingFile: string;
  validationFile: string | null;
  epochs: number;
  batchSize: number;
  learningRateMultiplier: number;
  optimizer: OptimizerName;
  /** Undefined: the loss follows from the output layer (see `training-data.ts`). */
  loss: LossName | undefined;
  l2: number;
  earlyStoppingPatience: number | undefined;
  seed: number;
  suffix: string | null;
  metadata: Record<string, string> | null;
  architecture: SequentialArchitecture | undefined;
}

function refuseUnknown(value: object, known: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw badRequest(
      `Unknown field(s) ${unknown.map((key) => `'${where}${key}'`).join(', ')}; accepted: ${known.join(', ')}.`,
      `${where}${unknown[0]}`,
      'unknown_parameter',
    );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * OpenAI's newer `method: {type: 'supervised', supervised: {hyperparameters}}` as the older
 * top-level `hyperparameters` (one or the other); other methods (dpo, reinforcement) are a 400.
 */
function withMethodHyperparameters(body: Record<string, unknown>): Record<string, unknown> {
  const { method, ...rest } = body;
  if (method === undefined || method === null) return rest;
  if (!isObject(method)) throw badRequest("'method' must be an object.", 'method');
  refuseUnknown(method, ['type', 'supervised'], 'method.');
  if (method.type !== 'supervised')
    throw badRequest(
      `Only supervised fine-tuning is offered here, not '${String(method.type)}'.`,
      'method.type',
    );
  const supervised = method.supervised ?? {};
  if (!isObject(supervised)) throw badRequest("'method.supervised' must be an object.", 'method.supervised');
  refuseUnknown(supervised, ['hyperparameters'], 'method.supervised.');
  if (supervised.hyperparameters === undefined) return rest;
  if (rest.hyperparameters !== undefined)
    throw badRequest(
      "Give 'hyperparameters' or 'method.supervised.hyperparameters', not both.",
      'hyperparameters',
    );
  if (isObject(supervised.hyperparameters))
    refuseUnknown(supervised.hyperparameters, knownHyperparameters, 'method.supervised.hyperparameters.');
  return { ...rest, hyperparameters: supervised.hyperparameters };
}

/**
 * Checks `POST /v1/fine_tuning/jobs`: OpenAI's fields (hyperparameters at the top or in a
 * supervised `method`) plus aiaas's `architecture` and hyperparameter extensions; anything else
 * is a 400 naming it. `'auto'` becomes the default.
 *
 * @example
 * parseJobRequest({ model: 'ref-classify', training_file: 'file-1' }).epochs; // 10
 */
export function parseJobRequest(body: unknown, randomSeed: () => number): JobRequest {
  if (!isObject(body))
    throw badRequest('The request body must be a JSON object.', undefined, 'invalid_request');
  refuseUnknown(body, knownFields, '');
  if (isObject(body.hyperparameters))
    refuseUnknown(body.hyperparameters, knownHyperparameters, 'hyperparameters.');
  const request = parseRequest(createJobSchema, withMethodHyperparameters(body));
  const given = request.hyperparameters ?? {};
  const sequential = request.model === sequentialModel;
  if (sequential && request.architecture === undefined)
    throw badRequest(`The model '${sequentialModel}' needs an 'architecture' to train.`, 'architecture');
  if (!sequential && request.architecture !== undefined)
    throw badRequest(
      `'architecture' is only for '${sequentialModel}'; '${request.model}' keeps its own.`,
      'architecture',
    );
  const auto = <T>(value: T | 'auto' | undefined, fallback: T): T =>
    value === undefined || value === 'auto' ? fallback : value;
  const epochs = auto(given.n_epochs, defaultEpochs);
  if (epochs > maxEpochs)
    throw badRequest(
      `hyperparameters.n_epochs must be at most ${maxEpochs}, got ${epochs}.`,
      'hyperparameters.n_epochs',
    );
  return {
    model: request.model,
    trainingFile: request.training_file,
    validationFile: request.validation_file ?? null,
    epochs,
    batchSize: auto(given.batch_size, defaultBatchSize),
    learningRateMultiplier: auto(given.learning_rate_multiplier, 1),
    optimizer: given.optimizer ?? 'adam',
    loss: given.loss,
    l2: given.l2 ?? 0,
    earlyStoppingPatience: given.early_stopping_patience,
    seed: request.seed ?? randomSeed(),
    suffix: request.suffix ?? null,
    metadata: request.metadata ?? null,
    architecture: request.architecture,
  };
}
