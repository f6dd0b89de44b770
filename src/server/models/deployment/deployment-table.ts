import type { ModelVersionEntry } from '../model-registry.js';
import type { DeploymentFile } from './deployment-files.js';

/** Triton's model states, as `POST /v2/repository/index` reports them. */
export type DeploymentState = 'LOADING' | 'READY' | 'UNAVAILABLE';

/** What the server knows of one deployed model of one tenant. */
export interface DeploymentRecord {
  name: string;
  state: DeploymentState;
  /** Why it is UNAVAILABLE: `unloaded`, or what failed its load. */
  reason?: string | undefined;
  versions: string[];
  /** The files it serves (kept for a reload without files, and to count a tenant's bytes). */
  files: DeploymentFile[];
  configText: string | undefined;
  /** The loaded versions while READY. */
  entries?: ModelVersionEntry[] | undefined;
}

/**
 * The deployment records of every tenant, and one queue per (tenant, model) so a load and an
 * unload of the same model never interleave.
 *
 * @example
 * await table.serially('key_1', 'iris', async () => table.set('key_1', record));
 */
export class DeploymentTable {
  readonly #tenants = new Map<string, Map<string, DeploymentRecord>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  get(tenant: string, name: string): DeploymentRecord | undefined {
    return this.#tenants.get(tenant)?.get(name);
  }

  set(tenant: string, record: DeploymentRecord): void {
    const records = this.#tenants.get(tenant) ?? new Map<string, DeploymentRecord>();
    this.#tenants.set(tenant, records);
    records.set(record.name, record);
  }

  /** One tenant's records by name. */
  records(tenant: string): DeploymentRecord[] {
    const records = [...(this.#tenants.get(tenant)?.values() ?? [])];
    return records.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  }

  /** Runs `work` after every earlier operation on the same model finished. */
  serially<T>(tenant: string, name: string, work: () => Promise<T>): Promise<T> {
    const key = `${tenant}\n${name}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return result;
  }
}
