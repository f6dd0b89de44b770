import { badRequest, HttpError } from '../http/http-error.js';
import type { ModelRegistry, ModelVersionEntry } from '../models/model-registry.js';
import { isRefChatLike, refChatShape } from '../models/ref-chat-base.js';
import type { LossName, NetworkArchitecture } from '../training/training-contract.js';
import type { WindowLanguageModelShape } from '../training/window-language-model.js';
import { type JobRequest, sequentialModel } from './job-request.js';
import type { DataShape } from './training-data.js';

/** ref-classify's network: 100 hashed-word features → 64 relu → 32 relu → 1 sigmoid. */
export const classifierArchitecture: NetworkArchitecture = {
  inputDim: 100,
  layers: [
    { units: 64, activation: 'relu' },
    { units: 32, activation: 'relu' },
    { units: 1, activation: 'sigmoid' },
  ],
};

/** What a job trains: the network, its loss and data, and where the starting weights come from. */
export interface TrainingPlan {
  architecture: NetworkArchitecture;
  loss: LossName;
  shape: DataShape;
  /** Fine-tuning starts from the weights of the request's model (read when training starts); else from scratch. */
  fromBaseModel: boolean;
  /** The base model as one name segment (`aiaas/sequential` → `aiaas-sequential`). */
  baseSegment: string;
  /** Set when the job fine-tunes ref-chat (or a fine-tune of it) on chat JSONL: the language model's sizes. */
  languageModel?: WindowLanguageModelShape | undefined;
}

function lossFor(architecture: NetworkArchitecture, given: LossName | undefined): LossName {
  const last = architecture.layers.at(-1)!;
  const loss =
    given ??
    (last.activation === 'softmax'
      ? 'categorical_crossentropy'
      : last.activation === 'sigmoid' && last.units === 1
        ? 'binary_crossentropy'
        : 'mse');
  if (loss === 'binary_crossentropy' && (last.activation !== 'sigmoid' || last.units !== 1))
    throw badRequest('binary_crossentropy needs an output layer of 1 sigmoid unit.', 'hyperparameters.loss');
  if (loss === 'categorical_crossentropy' && (last.activation !== 'softmax' || last.units < 2))
    throw badRequest(
      'categorical_crossentropy needs an output layer of 2 or more softmax units.',
      'hyperparameters.loss',
    );
  return loss;
}

/** Whether a served model is a binary classifier of ref-classify's kind (same input and output). */
function isClassifierLike(entry: ModelVersionEntry): boolean {
  const [input] = entry.signature.inputs;
  const [output] = entry.signature.outputs;
  return (
    entry.signature.inputs.length === 1 &&
    input?.type === 'float32' &&
    input.shape.at(-1) === classifierArchitecture.inputDim &&
    output?.type === 'float32' &&
    output.shape.at(-1) === 1
  );
}

/** A name segment safe inside `ft:<base>:…`: only letters, digits, `-`, `_` and `.`. */
function segmentOf(model: string): string {
  const base = model.startsWith('ft:') ? (model.split(':')[1] ?? model) : model;
  return base.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * ref-chat's plan: next-token prediction over its vocabulary (the architecture and loss describe
 * it as the job reports it; the trainer uses `languageModel`).
 */
function languageModelPlan(request: JobRequest): TrainingPlan {
  const ignored: [string, boolean][] = [
    ['optimizer', request.optimizer !== 'adam'],
    ['loss', request.loss !== undefined && request.loss !== 'categorical_crossentropy'],
    ['l2', request.l2 !== 0],
    ['early_stopping_patience', request.earlyStoppingPatience !== undefined],
  ];
  const [field] = ignored.find(([, given]) => given) ?? [];
  if (field !== undefined)
    throw badRequest(
      `hyperparameters.${field} does not apply to '${request.model}': it is fine-tuned with adam on its next-token loss (n_epochs, batch_size and learning_rate_multiplier apply).`,
      `hyperparameters.${field}`,
    );
  const shape = refChatShape();
  const loss: LossName = 'categorical_crossentropy';
  return {
    architecture: {
      inputDim: shape.contextLength,
      layers: [{ units: shape.vocabSize, activation: 'softmax' }],
    },
    loss,
    shape: { inputDim: shape.contextLength, outputUnits: 1, loss, acceptsText: true },
    fromBaseModel: true,
    baseSegment: segmentOf(request.model),
    languageModel: shape,
  };
}

/**
 * Decides what a job trains: `aiaas/sequential` the request's network from scratch; ref-classify,
 * or any classifier the tenant may use with its input and output, fine-tuned from its weights;
 * ref-chat, or the tenant's fine-tune of it, on chat JSONL from its weights.
 *
 * @example
 * planTraining(request, registry, 'key_1').architecture.layers.length; // 3 for ref-classify
 */
export function planTraining(request: JobRequest, registry: ModelRegistry, tenant: string): TrainingPlan {
  if (request.model === sequentialModel) {
    const given = request.architecture!;
    const architecture: NetworkArchitecture = { inputDim: given.input_dim, layers: given.layers };
    const loss = lossFor(architecture, request.loss);
    const outputUnits = architecture.layers.at(-1)!.units;
    return {
      architecture,
      loss,
      shape: { inputDim: architecture.inputDim, outputUnits, loss, acceptsText: false },
      fromBaseModel: false,
      baseSegment: segmentOf(request.model),
    };
  }
  const entry = registry.resolve(request.model, undefined, tenant);
  if (isRefChatLike(entry)) return languageModelPlan(request);
  if (!isClassifierLike(entry))
    throw new HttpError(
      400,
      `The model '${request.model}' cannot be fine-tuned: only classifiers like ref-classify (100 float inputs, 1 probability), ref-chat and '${sequentialModel}' are trained here.`,
      { param: 'model', code: 'model_not_supported' },
    );
  const loss = lossFor(classifierArchitecture, request.loss);
  return {
    architecture: classifierArchitecture,
    loss,
    shape: { inputDim: classifierArchitecture.inputDim, outputUnits: 1, loss, acceptsText: true },
    fromBaseModel: true,
    baseSegment: segmentOf(request.model),
  };
}
