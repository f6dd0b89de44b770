import { randomInt } from 'node:crypto';
import { terminalFineTuningJobStatuses } from '../../wire/openai/fine-tuning-schemas.js';
import type { FileStore } from '../files/file-store.js';
import { HttpError } from '../http/http-error.js';
import { fineTunedModelName } from './fine-tuned-model-name.js';
import type { ResolvedFineTuningOptions } from './fine-tuning-options.js';
import { FinishedJobs } from './finished-jobs.js';
import { addEvent, finishJob, type JobRecord, newId, unixSeconds } from './job-record.js';
import { parseJobRequest } from './job-request.js';
import { deploymentConfigOf, JobRunner, type JobRunnerServices } from './job-runner.js';
import { checkTrainable } from './job-spec.js';
import { type ValidatedData, validateJobFiles } from './job-validation.js';
import { TrainingDataError } from './training-data.js';
import { planTraining } from './training-plan.js';

export interface FineTuningServices extends JobRunnerServices {
  options: ResolvedFineTuningOptions;
}

const isActive = (job: JobRecord) => !terminalFineTuningJobStatuses.has(job.status);
const isWaiting = (job: JobRecord) => job.status === 'validating_files' || job.status === 'queued';

function jobNotFound(id: string): HttpError {
  return new HttpError(404, `No such fine-tuning job: ${id}`, {
    param: 'fine_tuning_job_id',
    code: 'job_not_found',
  });
}

async function requireFile(files: FileStore, tenant: string, id: string, param: string): Promise<void> {
  try {
    await files.get(tenant, id);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404)
      throw new HttpError(404, `No such File object: ${id} (${param}).`, { param, code: 'file_not_found' });
    throw error;
  }
}

/**
 * The fine-tuning jobs of every tenant: created `validating_files`, `queued` once their files
 * check out, trained `running` (at most `maxConcurrent` at once, oldest first), then `succeeded`
 * (deployed), `failed` or `cancelled`. Each tenant has at most `maxActivePerTenant` unfinished
 * jobs, and at most `maxQueued` jobs wait over all tenants; it keeps `maxFinishedPerTenant` finished
 * ones ({@link FinishedJobs}). Jobs a restarted server finds unfinished are validated again and go on
 * from their last checkpoint.
 *
 * @example
 * const jobs = new FineTuningJobs(services); jobs.resumeUnfinished();
 * const job = await jobs.create('key_1', { model: 'ref-classify', training_file: 'file-1' });
 */
export class FineTuningJobs {
  readonly #queue: JobRecord[] = [];
  readonly #data = new Map<string, ValidatedData>();
  readonly #running = new Map<string, JobRunner>();
  readonly #finished: FinishedJobs;
  #closing = false;

  constructor(readonly services: FineTuningServices) {
    const { store, registry, options } = services;
    this.#finished = new FinishedJobs(store, registry, options.maxFinishedPerTenant, (job) =>
      this.#running.has(job.id),
    );
  }

  get(tenant: string, id: string): JobRecord {
    const job = this.services.store.get(tenant, id);
    if (job === undefined) throw jobNotFound(id);
    return job;
  }

  /** The tenant's jobs, newest first. */
  list(tenant: string): JobRecord[] {
    return this.services.store.list(tenant).reverse();
  }

  /** The unfinished job using the tenant's file, if any (such a file cannot be deleted). */
  jobUsingFile(tenant: string, fileId: string): JobRecord | undefined {
    return this.services.store
      .list(tenant)
      .find(
        (job) =>
          isActive(job) && (job.request.trainingFile === fileId || job.request.validationFile === fileId),
      );
  }

  async create(tenant: string, body: unknown): Promise<JobRecord> {
    const { options, store, registry, files } = this.services;
    const request = parseJobRequest(body, () => randomInt(0, 2 ** 31 - 1));
    const active = store.list(tenant).filter(isActive).length;
    if (active >= options.maxActivePerTenant)
      throw new HttpError(
        429,
        `This API key has ${active} fine-tuning jobs not finished, its limit; wait for one to finish or cancel one.`,
        { code: 'too_many_active_jobs', headers: { 'retry-after': '30' } },
      );
    const waiting = store.all().filter(isWaiting).length;
    if (waiting >= options.maxQueued)
      throw new HttpError(
        429,
        `The training queue is full (${waiting} jobs waiting, its limit); try again later.`,
        { code: 'training_queue_full', headers: { 'retry-after': '30' } },
      );
    const plan = planTraining(request, registry, tenant);
    checkTrainable(request, plan);
    await requireFile(files, tenant, request.trainingFile, 'training_file');
    if (request.validationFile !== null)
      await requireFile(files, tenant, request.validationFile, 'validation_file');
    const id = newId('ftjob');
    const job: JobRecord = {
      id,
      tenant,
      createdAt: unixSeconds(),
      finishedAt: null,
      status: 'validating_files',
      error: null,
      request,
      plan,
      modelName: fineTunedModelName(plan.baseSegment, tenant, request.suffix, id),
      fineTunedModel: null,
      estimatedFinish: null,
      trainedExamples: 0,
      events: [],
      checkpoints: [],
      resume: undefined,
    };
    addEvent(job, `Validating training file: ${request.trainingFile}`);
    store.add(job);
    await store.save(job);
    void this.#validate(job);
    return job;
  }

  /** Cancels an unfinished job: a running one stops within a batch and is billed for what ran. */
  async cancel(tenant: string, id: string): Promise<JobRecord> {
    const job = this.get(tenant, id);
    if (!isActive(job))
      throw new HttpError(
        400,
        `The job ${id} has already ${job.status === 'succeeded' ? 'succeeded' : `ended (${job.status})`} and cannot be cancelled.`,
        {
          param: 'fine_tuning_job_id',
          code: 'job_not_cancellable',
        },
      );
    finishJob(job, 'cancelled');
    addEvent(job, 'The job was cancelled');
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    this.#data.delete(job.id);
    this.#running.get(job.id)?.stop();
    await this.services.store.save(job);
    this.#finished.add(job);
    return job;
  }

  /** Validates and queues again the jobs a previous server left unfinished (with a data directory), and trims its finished ones. */
  resumeUnfinished(): void {
    this.#finished.seed(this.services.store.all());
    for (const job of this.services.store.all().filter(isActive)) {
      addEvent(job, 'The server restarted; the job goes on from its last checkpoint');
      void this.#validate(job);
    }
  }

  /**
   * Deploys again the models of succeeded jobs the server no longer serves (kept in the data
   * directory; a models directory restores them by itself). A model that fails is logged and skipped.
   */
  async redeploySucceeded(): Promise<void> {
    const { store, registry, deployments, logger } = this.services;
    for (const job of store.all()) {
      const name = job.fineTunedModel;
      if (job.status !== 'succeeded' || name === null || registry.get(name, job.tenant) !== undefined)
        continue;
      const bytes = await store.readModel(job);
      if (bytes === undefined) continue;
      await deployments
        .load(job.tenant, name, {
          configText: deploymentConfigOf(name),
          files: [{ version: '1', bytes }],
          requestId: job.id,
        })
        .catch((error: Error) =>
          logger.warn('could not deploy a fine-tuned model again', { model: name, reason: error.message }),
        );
    }
  }

  /** Forgets the kept model of the tenant's job that made `model` (deleted by the tenant). */
  async forgetModel(tenant: string, model: string): Promise<void> {
    const job = this.services.store.list(tenant).find((each) => each.fineTunedModel === model);
    if (job === undefined) return;
    await this.services.store.deleteModel(job);
    this.#finished.prune(tenant); // the job no longer holds a deployed model
  }

  /** Stops every training within a batch, leaving running jobs to resume after a restart. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const runner of this.#running.values()) runner.stop();
    await Promise.all([...this.#running.values()].map((runner) => runner.finished));
    await this.services.store.flush();
  }

  async #validate(job: JobRecord): Promise<void> {
    let data: ValidatedData;
    try {
      data = await validateJobFiles(job, this.services.files, this.services.options.maxTrainingTokens);
    } catch (error) {
      if (job.status === 'cancelled') return;
      const problem =
        error instanceof TrainingDataError
          ? { code: error.code, message: error.message, param: error.param }
          : { code: 'validation_failed', message: (error as Error).message, param: null };
      finishJob(job, 'failed', problem);
      addEvent(job, `Validation failed: ${problem.message}`, { level: 'error' });
      await this.services.store.save(job);
      this.#finished.add(job);
      return;
    }
    if (job.status === 'cancelled' || this.#closing) return;
    const examples = `${data.train.rows} training examples${data.valid === undefined ? '' : `, ${data.valid.rows} validation examples`}`;
    if (job.status === 'validating_files') {
      job.status = 'queued';
      addEvent(job, `Files validated (${examples}); the job is queued`);
      await this.services.store.save(job);
    }
    this.#data.set(job.id, data);
    this.#queue.push(job);
    this.#schedule();
  }

  /** Starts the oldest queued jobs while fewer than `maxConcurrent` train. */
  #schedule(): void {
    while (!this.#closing && this.#running.size < this.services.options.maxConcurrent) {
      const job = this.#queue.shift();
      if (job === undefined) return;
      const data = this.#data.get(job.id);
      this.#data.delete(job.id);
      if (data === undefined || job.status === 'cancelled') continue;
      job.status = 'running';
      const runner = new JobRunner(job, data, this.services);
      this.#running.set(job.id, runner);
      void runner.finished.then(() => {
        this.#running.delete(job.id);
        // Closing, a running job stays unfinished (to resume); otherwise it ended now.
        if (!isActive(job)) this.#finished.add(job);
        this.#schedule();
      });
    }
  }
}
