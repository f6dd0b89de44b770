import type { ModelRegistry } from '../models/model-registry.js';
import type { JobRecord } from './job-record.js';
import type { JobStore } from './job-store.js';

/**
 * Keeps each tenant's finished jobs (succeeded, failed, cancelled) to `limit`: past it the job
 * that finished longest ago is dropped from the store, with its events, checkpoints and file under
 * the data directory. Never dropped: an unfinished job, a cancelled one whose worker is still
 * stopping, or a succeeded one whose model is still deployed (its record is what deploys the
 * model again after a restart; deleting the model frees it). Result files are the tenant's files
 * and stay.
 *
 * @example
 * const finished = new FinishedJobs(store, registry, 1000, (job) => running.has(job.id));
 * finished.add(job); // after the job reached a terminal status
 */
export class FinishedJobs {
  /** Each tenant's finished jobs in the order they finished, oldest first. */
  readonly #order = new Map<string, Set<JobRecord>>();

  constructor(
    readonly store: JobStore,
    readonly registry: ModelRegistry,
    readonly limit: number,
    readonly busy: (job: JobRecord) => boolean,
  ) {}

  /** Takes the finished jobs a data directory held (by finishing time), then drops the excess. */
  seed(jobs: readonly JobRecord[]): void {
    const finished = jobs.filter((job) => job.finishedAt !== null);
    finished.sort((a, b) => a.finishedAt! - b.finishedAt!);
    for (const job of finished) this.#orderOf(job.tenant).add(job);
    for (const tenant of this.#order.keys()) this.prune(tenant);
  }

  /** Records that the job finished (once; a second call keeps its place) and drops the excess. */
  add(job: JobRecord): void {
    this.#orderOf(job.tenant).add(job);
    this.prune(job.tenant);
  }

  /** Drops the tenant's oldest droppable finished jobs while it has more than `limit`. */
  prune(tenant: string): void {
    const order = this.#order.get(tenant);
    if (order === undefined) return;
    let excess = order.size - this.limit;
    for (const job of order) {
      if (excess <= 0) return;
      if (this.busy(job) || this.#holdsDeployedModel(job)) continue;
      order.delete(job);
      excess--;
      void this.store.drop(job);
    }
  }

  #holdsDeployedModel(job: JobRecord): boolean {
    return job.fineTunedModel !== null && this.registry.get(job.fineTunedModel, job.tenant) !== undefined;
  }

  #orderOf(tenant: string): Set<JobRecord> {
    const order = this.#order.get(tenant) ?? new Set<JobRecord>();
    this.#order.set(tenant, order);
    return order;
  }
}
