import { readFile } from 'node:fs/promises';
import type { TrainingBilling } from '../billing/training-billing.js';
import type { FileStore } from '../files/file-store.js';
import type { ModelDeployments } from '../models/deployment/model-deployments.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ServerLogger } from '../server-logger.js';
import { networkToOnnx, parametersFromOnnx } from '../training/network-onnx.js';
import type { EpochReport, NetworkParameters, TrainingSpec } from '../training/training-contract.js';
import type { WindowTrainingSpec } from '../training/window-training.js';
import { chatModelBytes, chatTrainingSpec } from './chat-fine-tuning.js';
import { metricsOf } from './epoch-metrics.js';
import { addEvent, finishJob, type JobRecord, newId, unixSeconds } from './job-record.js';
import { trainingSpecOf } from './job-spec.js';
import type { JobStore } from './job-store.js';
import type { ValidatedData } from './job-validation.js';
import { stepMetricsCsv } from './step-metrics-csv.js';
import type { StartTraining, TrainerRun } from './trainer-port.js';

export interface JobRunnerServices {
  startTraining: StartTraining;
  /** Where the job's result file goes. */
  files: FileStore;
  registry: ModelRegistry;
  billing: TrainingBilling | undefined;
  deployments: ModelDeployments;
  store: JobStore;
  logger: ServerLogger;
}

/** The Triton config a fine-tuned model is deployed with. */
export function deploymentConfigOf(name: string): string {
  return JSON.stringify({ name, platform: 'onnxruntime_onnx' });
}

/** The longest a running job's progress waits to be written. */
const saveIntervalMs = 1000;

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * Trains one job in a worker thread, from its last checkpoint when it has one: each epoch
 * becomes a `metrics` event, a checkpoint and a charge (the compute time since the last one,
 * and the epoch's examples and bytes); success deploys the network under the job's model name.
 * `stop()` ends the worker within a batch: a cancel, or the server closing (the job stays
 * `running` on disk, to resume).
 *
 * @example
 * const runner = new JobRunner(job, data, services); await runner.finished;
 */
export class JobRunner {
  readonly finished: Promise<void>;
  #run: TrainerRun | undefined;
  #stopped = false;
  /** When the job was last written during training; epochs in between are written together. */
  #savedAt = 0;
  #unsaved = false;
  #billedUntil = performance.now();
  readonly #epochStartedAt: number[] = [];

  constructor(
    readonly job: JobRecord,
    readonly data: ValidatedData,
    readonly services: JobRunnerServices,
  ) {
    this.finished = this.#train()
      .catch((error: Error) => this.#fail('training_failed', error.message))
      // The last epochs' state reaches the disk even when their writes were skipped.
      .then(() => (this.#unsaved ? this.services.store.save(job) : undefined));
  }

  /** Stops training within a batch; what ran is billed. */
  stop(): void {
    this.#stopped = true;
    this.#run?.cancel();
  }

  async #spec(): Promise<TrainingSpec | WindowTrainingSpec> {
    const { request, plan } = this.job;
    if (plan.languageModel !== undefined)
      return chatTrainingSpec(this.job, plan.languageModel, this.services.registry);
    // A resumed run takes its weights from the checkpoint; a new one from the base model, if any.
    // Resolved now, not at creation: a restart or a reload may have moved the model's file.
    const initialParameters =
      !plan.fromBaseModel || this.job.resume !== undefined
        ? undefined
        : parametersFromOnnx(
            new Uint8Array(
              await readFile(this.services.registry.resolve(request.model, undefined, this.job.tenant).path),
            ),
            plan.architecture,
          );
    return trainingSpecOf(request, plan, initialParameters);
  }

  async #train(): Promise<void> {
    const { job, data } = this;
    const spec = await this.#spec();
    if (this.#stopped) return;
    job.status = 'running';
    const from = job.resume?.epoch ?? 0;
    addEvent(job, from === 0 ? 'Fine-tuning job started' : `Fine-tuning job resumed after epoch ${from}`);
    void this.services.store.save(job);
    this.#billedUntil = performance.now();
    this.#epochStartedAt.push(this.#billedUntil);
    const run = this.services.startTraining(spec, data.train, data.valid, {
      resume: job.resume,
      onEpoch: (report) => this.#onEpoch(report),
    });
    this.#run = run;
    let parameters: NetworkParameters;
    try {
      parameters = await run.done;
    } catch (error) {
      this.#bill(0, 0);
      if (this.#stopped) return;
      throw error;
    }
    this.#bill(0, 0);
    if (this.#stopped) return;
    await this.#deploy(parameters);
  }

  #onEpoch(report: EpochReport): void {
    const { job, data } = this;
    if (job.status !== 'running') return;
    const metrics = metricsOf(report);
    const valid = report.validLoss === undefined ? '' : `, validation loss=${round(report.validLoss)}`;
    const accuracy =
      report.metrics !== undefined
        ? `, accuracy=${round(report.metrics.accuracy)}`
        : report.tokenAccuracy !== undefined
          ? `, token accuracy=${round(report.tokenAccuracy.valid ?? report.tokenAccuracy.train)}`
          : '';
    addEvent(
      job,
      `Epoch ${report.epoch}/${job.request.epochs}, step ${report.step}: training loss=${round(report.trainLoss)}${valid}${accuracy}`,
      {
        data: metrics,
      },
    );
    job.checkpoints.push({
      id: newId('ftckpt'),
      created_at: unixSeconds(),
      fine_tuned_model_checkpoint: `${job.modelName}:ckpt-step-${report.step}`,
      step_number: report.step,
      metrics,
    });
    job.resume = report.resumeState;
    job.trainedExamples += data.train.rows;
    this.#bill(data.train.rows, data.trainBytes);
    const now = performance.now();
    this.#epochStartedAt.push(now);
    const timed = this.#epochStartedAt.length - 1;
    const perEpochMs = (now - this.#epochStartedAt[0]!) / timed;
    job.estimatedFinish =
      unixSeconds() + Math.ceil(((job.request.epochs - report.epoch) * perEpochMs) / 1000);
    if (report.stoppedEarly)
      addEvent(job, `Stopped early after epoch ${report.epoch}: the loss stopped improving`);
    this.#saveThrottled(now);
  }

  /** Writes the job at most once per {@link saveIntervalMs}: a crash loses at most that much training. */
  #saveThrottled(now: number): void {
    this.#unsaved = now - this.#savedAt < saveIntervalMs;
    if (this.#unsaved) return;
    this.#savedAt = now;
    void this.services.store.save(this.job);
  }

  /** Bills the compute time since the last charge, with the examples and bytes trained in it. */
  #bill(examples: number, bytes: number): void {
    const now = performance.now();
    const computeMs = Math.ceil(now - this.#billedUntil);
    this.#billedUntil = now;
    if (computeMs <= 0 && examples === 0) return;
    this.services.billing?.bill({ tenant: this.job.tenant, jobId: this.job.id, computeMs, bytes, examples });
  }

  async #deploy(parameters: NetworkParameters): Promise<void> {
    const { job } = this;
    const { languageModel } = job.plan;
    const bytes =
      languageModel !== undefined
        ? chatModelBytes(job, languageModel, parameters)
        : networkToOnnx(job.plan.architecture, parameters, {
            name: job.modelName,
            description: `Fine-tuned from ${job.request.model} by ${job.id}`,
            metadata: { fine_tuning_job: job.id, base_model: job.request.model },
          });
    try {
      await this.services.deployments.load(job.tenant, job.modelName, {
        configText: deploymentConfigOf(job.modelName),
        files: [{ version: '1', bytes }],
        requestId: job.id,
      });
    } catch (error) {
      this.#fail('deployment_failed', `The trained model could not be deployed: ${(error as Error).message}`);
      return;
    }
    await this.services.store.saveModel(job, bytes);
    await this.#writeResults();
    job.fineTunedModel = job.modelName;
    addEvent(job, `New fine-tuned model created: ${job.modelName}`);
    finishJob(job, 'succeeded');
    addEvent(job, 'The job has successfully completed');
    await this.services.store.save(job);
  }

  /** The per-epoch metrics as a CSV file of the tenant's (`result_files`), as OpenAI gives them. */
  async #writeResults(): Promise<void> {
    const { job } = this;
    try {
      const file = await this.services.files.create(job.tenant, {
        filename: `${job.id}-step_metrics.csv`,
        purpose: 'fine-tune-results',
        content: Buffer.from(stepMetricsCsv(job.checkpoints)),
      });
      job.resultFiles = [file.id];
    } catch (error) {
      // The model is trained and served either way; only the CSV is missing.
      addEvent(job, `The results file could not be stored: ${(error as Error).message}`, { level: 'warn' });
    }
  }

  #fail(code: string, message: string): Promise<void> {
    const { job } = this;
    if (job.status === 'cancelled' || job.status === 'succeeded' || job.status === 'failed')
      return Promise.resolve();
    this.services.logger.warn('fine-tuning job failed', { job: job.id, reason: message });
    finishJob(job, 'failed', { code, message, param: null });
    addEvent(job, `The job failed: ${message}`, { level: 'error' });
    return this.services.store.save(job);
  }
}
