import type { TrainingBilling } from '../billing/training-billing.js';
import type { FileDeletionGuard } from '../files/file-routes.js';
import type { FileStore } from '../files/file-store.js';
import type { Route } from '../http/route-table.js';
import type { ModelDeployments } from '../models/deployment/model-deployments.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ServerLogger } from '../server-logger.js';
import { TrainingWorker } from '../training/training-worker.js';
import { FineTuningJobs } from './fine-tuning-jobs.js';
import type { ResolvedFineTuningOptions } from './fine-tuning-options.js';
import { fineTuningRoutes } from './fine-tuning-routes.js';
import { JobStore } from './job-store.js';

/** The fine-tuning feature as the server plugs it in. */
export interface FineTuning {
  routes: Route[];
  /** Refuses deleting a file an unfinished job trains on. */
  fileInUse: FileDeletionGuard;
  /** Stops training (running jobs resume after a restart with a data directory) and writes every job. */
  close(): Promise<void>;
}

/**
 * Opens the jobs (from `<dataDir>/fine-tuning/` when there is a data directory), resumes the
 * unfinished ones, and returns the routes. Training runs in worker threads (`TrainingWorker`).
 *
 * @example
 * const fineTuning = await startFineTuning(resolveFineTuningOptions(options), { files, registry, deployments, billing, logger });
 */
export async function startFineTuning(
  options: ResolvedFineTuningOptions,
  services: {
    files: FileStore;
    registry: ModelRegistry;
    deployments: ModelDeployments;
    billing: TrainingBilling;
    logger: ServerLogger;
  },
): Promise<FineTuning> {
  const store = await JobStore.open(options.dataDir, services.logger);
  const jobs = new FineTuningJobs({
    ...services,
    options,
    store,
    startTraining: (spec, train, valid, run) => TrainingWorker.start(spec, train, valid, run),
  });
  await jobs.redeploySucceeded();
  jobs.resumeUnfinished();
  return {
    routes: fineTuningRoutes(jobs, services.deployments),
    fileInUse(tenant, id) {
      const job = jobs.jobUsingFile(tenant, id);
      return job === undefined
        ? undefined
        : `the fine-tuning job ${job.id} (${job.status}) trains on it; cancel it or wait for it to finish`;
    },
    close: () => jobs.close(),
  };
}
