import { z } from 'zod';

/** A job's life: `validating_files → queued → running → succeeded | failed | cancelled`. */
export const fineTuningJobStatusSchema = z.enum([
  'validating_files',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
export type FineTuningJobStatus = z.infer<typeof fineTuningJobStatusSchema>;

/** The statuses a job never leaves. */
export const terminalFineTuningJobStatuses: ReadonlySet<FineTuningJobStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
]);

/** Activations of an `aiaas/sequential` layer (aiaas's extension). */
export const sequentialActivations = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'] as const;
export type SequentialActivation = (typeof sequentialActivations)[number];

/** The network `aiaas/sequential` trains from scratch (aiaas's `architecture` extension field). */
export const sequentialArchitectureSchema = z.strictObject({
  input_dim: z.number().int().positive(),
  layers: z
    .array(
      z.strictObject({
        units: z.number().int().positive(),
        activation: z.enum(sequentialActivations),
      }),
    )
    .min(1),
});
export type SequentialArchitecture = z.infer<typeof sequentialArchitectureSchema>;

const autoOr = <T extends z.ZodType>(schema: T) => z.union([z.literal('auto'), schema]);

/**
 * OpenAI's hyperparameters (`n_epochs`, `batch_size`, `learning_rate_multiplier`, each a number or
 * `"auto"`) plus aiaas's extensions for `aiaas/sequential` and classifiers.
 */
export const fineTuningHyperparametersSchema = z.looseObject({
  n_epochs: autoOr(z.number().int().positive()).optional(),
  batch_size: autoOr(z.number().int().positive()).optional(),
  learning_rate_multiplier: autoOr(z.number().positive()).optional(),
  optimizer: z.enum(['adam', 'sgd']).optional(),
  loss: z.enum(['binary_crossentropy', 'categorical_crossentropy', 'mse']).optional(),
  l2: z.number().nonnegative().optional(),
  early_stopping_patience: z.number().int().positive().optional(),
});
export type FineTuningHyperparameters = z.infer<typeof fineTuningHyperparametersSchema>;

/** Why a job failed: OpenAI's error object on the job. */
export const fineTuningJobErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  param: z.string().nullish(),
});

/** OpenAI's fine-tuning job object (`POST /v1/fine_tuning/jobs`, `GET /v1/fine_tuning/jobs/{id}`). */
export const fineTuningJobSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('fine_tuning.job'),
  created_at: z.number().int(),
  error: fineTuningJobErrorSchema.nullish(),
  fine_tuned_model: z.string().nullish(),
  finished_at: z.number().int().nullish(),
  hyperparameters: fineTuningHyperparametersSchema,
  model: z.string(),
  organization_id: z.string(),
  result_files: z.array(z.string()),
  seed: z.number().int(),
  status: fineTuningJobStatusSchema,
  trained_tokens: z.number().int().nullish(),
  training_file: z.string(),
  validation_file: z.string().nullish(),
  estimated_finish: z.number().int().nullish(),
  user_provided_suffix: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  /** aiaas: the network an `aiaas/sequential` job trains. */
  architecture: sequentialArchitectureSchema.nullish(),
});
export type FineTuningJob = z.infer<typeof fineTuningJobSchema>;

/**
 * Metrics of one epoch: OpenAI's checkpoint field names, plus aiaas's classifier metrics
 * (`accuracy`, `precision`, `recall`, `f1`, `roc_auc` on the validation set when there is one,
 * else on the training set).
 */
export const fineTuningMetricsSchema = z.looseObject({
  step: z.number().int().nonnegative().optional(),
  epoch: z.number().int().positive().optional(),
  train_loss: z.number().optional(),
  valid_loss: z.number().nullish(),
  full_valid_loss: z.number().nullish(),
  train_mean_token_accuracy: z.number().nullish(),
  valid_mean_token_accuracy: z.number().nullish(),
  full_valid_mean_token_accuracy: z.number().nullish(),
  accuracy: z.number().nullish(),
  precision: z.number().nullish(),
  recall: z.number().nullish(),
  f1: z.number().nullish(),
  roc_auc: z.number().nullish(),
});
export type FineTuningMetrics = z.infer<typeof fineTuningMetricsSchema>;

/** OpenAI's job event; `type: "metrics"` events carry one epoch's `FineTuningMetrics` in `data`. */
export const fineTuningJobEventSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('fine_tuning.job.event'),
  created_at: z.number().int(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  type: z.enum(['message', 'metrics']).optional(),
  data: z.unknown().optional(),
});
export type FineTuningJobEvent = z.infer<typeof fineTuningJobEventSchema>;

/** OpenAI's job checkpoint: one per epoch, each a model that can be served. */
export const fineTuningJobCheckpointSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('fine_tuning.job.checkpoint'),
  created_at: z.number().int(),
  fine_tuned_model_checkpoint: z.string(),
  fine_tuning_job_id: z.string(),
  step_number: z.number().int().nonnegative(),
  metrics: fineTuningMetricsSchema,
});
export type FineTuningJobCheckpoint = z.infer<typeof fineTuningJobCheckpointSchema>;

/** One page of a cursor-paginated list (`after`, `limit`, `has_more`). */
export function cursorPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
  });
}
export const fineTuningJobListSchema = cursorPageSchema(fineTuningJobSchema);
export const fineTuningJobEventListSchema = cursorPageSchema(fineTuningJobEventSchema);
export const fineTuningJobCheckpointListSchema = cursorPageSchema(fineTuningJobCheckpointSchema);

/** `POST /v1/fine_tuning/jobs`: OpenAI's fields plus aiaas's `architecture`. */
export interface FineTuningJobCreateParams {
  model: 'ref-classify' | 'ref-chat' | 'aiaas/sequential' | (string & {});
  training_file: string;
  validation_file?: string | null | undefined;
  hyperparameters?: FineTuningHyperparameters | undefined;
  seed?: number | null | undefined;
  /** Up to 64 characters: letters, digits, `-`, `_`, `.`. */
  suffix?: string | null | undefined;
  metadata?: Record<string, string> | null | undefined;
  /** Required for `aiaas/sequential`, refused otherwise. */
  architecture?: SequentialArchitecture | undefined;
}

/** The query of the cursor-paginated job, event and checkpoint lists. */
export interface CursorPageParams {
  /** The id of the last item of the previous page. */
  after?: string | undefined;
  /** 1 to 100 items a page (default 20; checkpoints default 10). */
  limit?: number | undefined;
}

/** `GET /v1/fine_tuning/jobs`'s query: a page, and OpenAI's `metadata` filter. */
export interface FineTuningJobListParams extends CursorPageParams {
  /** Only the jobs carrying every pair (sent as `metadata[key]=value`); `null`: only jobs without metadata. */
  metadata?: Readonly<Record<string, string>> | null | undefined;
}
