import { readFile } from 'node:fs/promises';
import type { ModelRegistry } from '../models/model-registry.js';
import type { NetworkParameters } from '../training/training-contract.js';
import { WindowLanguageModel, type WindowLanguageModelShape } from '../training/window-language-model.js';
import { windowModelFromOnnx, windowModelToOnnx } from '../training/window-model-onnx.js';
import type { WindowTrainingSpec } from '../training/window-training.js';
import type { JobRecord } from './job-record.js';
import { baseLearningRate } from './job-request.js';

/**
 * What the trainer gets for a ref-chat job: the base model's weights (read from its ONNX file
 * when training starts, unless the job resumes from a checkpoint) and the request's hyperparameters.
 */
export async function chatTrainingSpec(
  job: JobRecord,
  shape: WindowLanguageModelShape,
  registry: ModelRegistry,
): Promise<WindowTrainingSpec> {
  const { request } = job;
  const initialParameters =
    job.resume !== undefined
      ? []
      : windowModelFromOnnx(
          new Uint8Array(await readFile(registry.resolve(request.model, undefined, job.tenant).path)),
          shape,
        ).parameters;
  return {
    kind: 'window-language-model',
    shape,
    initialParameters,
    learningRate: baseLearningRate * request.learningRateMultiplier,
    epochs: request.epochs,
    batchSize: request.batchSize,
    seed: request.seed,
  };
}

/** The tuned ref-chat as ONNX: ref-chat's graph (`context` → `logits`), so the chat routes run it as they run ref-chat. */
export function chatModelBytes(
  job: JobRecord,
  shape: WindowLanguageModelShape,
  parameters: NetworkParameters,
): Uint8Array {
  return windowModelToOnnx(new WindowLanguageModel(shape, parameters), {
    name: job.modelName,
    producer: 'aiaas',
    description: `Fine-tuned from ${job.request.model} by ${job.id}`,
    metadata: {
      fine_tuning_job: job.id,
      base_model: job.request.model,
      'aiaas.context_length': String(shape.contextLength),
      'aiaas.vocab_size': String(shape.vocabSize),
    },
  });
}
