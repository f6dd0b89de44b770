import { randomBytes } from 'node:crypto';
import type { FineTuningJobStatus, FineTuningMetrics } from '../../wire/openai/fine-tuning-schemas.js';
import type { TrainingResumeState } from '../training/training-contract.js';
import type { JobRequest } from './job-request.js';
import type { TrainingPlan } from './training-plan.js';

export interface JobEventRecord {
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data?: FineTuningMetrics | undefined;
}

export interface JobCheckpointRecord {
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  step_number: number;
  metrics: FineTuningMetrics;
}

/** Everything the server keeps about one job (plain data: it is written to the data directory as is). */
export interface JobRecord {
  id: string;
  tenant: string;
  createdAt: number;
  finishedAt: number | null;
  status: FineTuningJobStatus;
  error: { code: string; message: string; param: string | null } | null;
  request: JobRequest;
  plan: TrainingPlan;
  /** The name the model is deployed under once the job succeeds. */
  modelName: string;
  fineTunedModel: string | null;
  estimatedFinish: number | null;
  /** Examples trained so far, over every epoch (what `trained_examples` bills). */
  trainedExamples: number;
  /** Oldest first; lists answer newest first. */
  events: JobEventRecord[];
  checkpoints: JobCheckpointRecord[];
  /** Files the job made (its per-epoch metrics CSV); absent in jobs kept before they existed. */
  resultFiles?: string[];
  /** The last checkpoint's trainer state: a restarted server continues from it. */
  resume: TrainingResumeState | undefined;
}

/** OpenAI's job object (`fineTuningJobSchema`), with aiaas's `architecture` and `trained_examples`. */
export function jobObject(job: JobRecord) {
  const { request, plan } = job;
  const hyperparameters = {
    n_epochs: request.epochs,
    batch_size: request.batchSize,
    learning_rate_multiplier: request.learningRateMultiplier,
    optimizer: request.optimizer,
    loss: plan.loss,
    l2: request.l2,
    ...(request.earlyStoppingPatience === undefined
      ? {}
      : { early_stopping_patience: request.earlyStoppingPatience }),
  };
  return {
    id: job.id,
    object: 'fine_tuning.job' as const,
    created_at: job.createdAt,
    error: job.error,
    fine_tuned_model: job.fineTunedModel,
    finished_at: job.finishedAt,
    hyperparameters,
    model: request.model,
    organization_id: job.tenant,
    result_files: job.resultFiles ?? [],
    seed: request.seed,
    status: job.status,
    // A ref-chat job's examples are its trained (assistant) tokens.
    trained_tokens: plan.languageModel === undefined ? null : job.trainedExamples,
    trained_examples: job.trainedExamples,
    training_file: request.trainingFile,
    validation_file: request.validationFile,
    estimated_finish: job.estimatedFinish,
    user_provided_suffix: request.suffix,
    metadata: request.metadata,
    architecture: request.architecture ?? null,
    method: { type: 'supervised' as const, supervised: { hyperparameters } },
  };
}

export function eventObject(event: JobEventRecord) {
  return { object: 'fine_tuning.job.event' as const, ...event, data: event.data ?? {} };
}

export function checkpointObject(job: JobRecord, checkpoint: JobCheckpointRecord) {
  return { object: 'fine_tuning.job.checkpoint' as const, fine_tuning_job_id: job.id, ...checkpoint };
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A random id with OpenAI's prefixes (`ftjob-`, `ftevent-`, `ftckpt-`). */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/** Appends an event to the job (a status change, a warning, or one epoch's metrics). */
export function addEvent(
  job: JobRecord,
  message: string,
  options: { level?: JobEventRecord['level']; data?: FineTuningMetrics } = {},
): void {
  job.events.push({
    id: newId('ftevent'),
    created_at: unixSeconds(),
    level: options.level ?? 'info',
    message,
    type: options.data === undefined ? 'message' : 'metrics',
    ...(options.data === undefined ? {} : { data: options.data }),
  });
}

/** Ends the job in a terminal status, with an error when it failed. */
export function finishJob(
  job: JobRecord,
  status: 'succeeded' | 'failed' | 'cancelled',
  error?: JobRecord['error'],
): void {
  job.status = status;
  job.finishedAt = unixSeconds();
  job.estimatedFinish = null;
  job.resume = undefined;
  if (error !== undefined) job.error = error;
}
