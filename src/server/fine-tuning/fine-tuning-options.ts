/** Server options of the fine-tuning jobs API (`/v1/fine_tuning/jobs`). */
export interface FineTuningOptions {
  /** Most jobs one tenant (API key) may have not yet finished (validating, queued or running; default 4). */
  maxActiveFineTuningJobsPerTenant?: number;
  /** Most jobs waiting to train (validating or queued) over all tenants; past it creating one is a 429 (default 64). */
  maxQueuedFineTuningJobs?: number;
  /** Jobs training at once, each in its own worker thread (default 1: training is CPU-bound). */
  maxConcurrentTrainingJobs?: number;
  /**
   * Most tokens a ref-chat job's training (or validation) file may hold; past it the job fails
   * (default 7,000,000: each token is a window of 8 context ids plus its target, 36 bytes, so the
   * windows stay under 256 MiB; the trainer's float copy of the trained ones is at most as much again).
   */
  maxFineTuningTrainingTokens?: number;
  /**
   * Finished jobs (succeeded, failed, cancelled) kept per tenant; past it the one that finished
   * longest ago is forgotten, events, checkpoints and its file under the data directory with it
   * (default 1000). A succeeded job whose model is still deployed is kept until the model is deleted.
   */
  maxFinishedFineTuningJobsPerTenant?: number;
}

export interface ResolvedFineTuningOptions {
  /** Where jobs and their checkpoints are kept (`<dataDir>/fine-tuning/`), so a restart resumes them. */
  dataDir: string | undefined;
  maxActivePerTenant: number;
  maxQueued: number;
  maxConcurrent: number;
  maxTrainingTokens: number;
  maxFinishedPerTenant: number;
}

export const defaultMaxActiveFineTuningJobsPerTenant = 4;
export const defaultMaxQueuedFineTuningJobs = 64;
export const defaultMaxConcurrentTrainingJobs = 1;
export const defaultMaxFineTuningTrainingTokens = 7_000_000;
export const defaultMaxFinishedFineTuningJobsPerTenant = 1000;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Applies the defaults and rejects impossible values with a message naming the option. */
export function resolveFineTuningOptions(
  options: FineTuningOptions & { dataDir?: string | undefined },
): ResolvedFineTuningOptions {
  return {
    dataDir: options.dataDir,
    maxActivePerTenant: positiveInteger(
      options.maxActiveFineTuningJobsPerTenant ?? defaultMaxActiveFineTuningJobsPerTenant,
      'maxActiveFineTuningJobsPerTenant',
    ),
    maxQueued: positiveInteger(
      options.maxQueuedFineTuningJobs ?? defaultMaxQueuedFineTuningJobs,
      'maxQueuedFineTuningJobs',
    ),
    maxConcurrent: positiveInteger(
      options.maxConcurrentTrainingJobs ?? defaultMaxConcurrentTrainingJobs,
      'maxConcurrentTrainingJobs',
    ),
    maxTrainingTokens: positiveInteger(
      options.maxFineTuningTrainingTokens ?? defaultMaxFineTuningTrainingTokens,
      'maxFineTuningTrainingTokens',
    ),
    maxFinishedPerTenant: positiveInteger(
      options.maxFinishedFineTuningJobsPerTenant ?? defaultMaxFinishedFineTuningJobsPerTenant,
      'maxFinishedFineTuningJobsPerTenant',
    ),
  };
}
