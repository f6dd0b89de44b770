import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerLogger } from '../server-logger.js';
import type { JobRecord } from './job-record.js';

/** Float32Arrays (weights, optimizer moments) are kept as base64 of their bytes. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array)
    return { float32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'float32' in value) {
    const bytes = Buffer.from((value as { float32: string }).float32, 'base64');
    // Copied into its own buffer: a Buffer's bytes may sit unaligned in a shared pool.
    return new Float32Array(new Uint8Array(bytes).buffer);
  }
  return value;
}

/**
 * Every tenant's jobs, in creation order. With a data directory each job (its events,
 * checkpoints and last trainer state too) is written to `<dataDir>/fine-tuning/<tenant>/<id>.json`
 * whenever it changes, replaced atomically, so a restarted server finds them all again.
 *
 * @example
 * const store = await JobStore.open('/var/lib/aiaas', logger);
 * store.add(job); await store.save(job);
 */
export class JobStore {
  readonly #tenants = new Map<string, Map<string, JobRecord>>();
  /** Each job's pending write, so writes of one job land in order. */
  readonly #writes = new Map<string, Promise<void>>();

  private constructor(
    readonly dataDir: string | undefined,
    readonly logger: ServerLogger,
  ) {}

  static async open(dataDir: string | undefined, logger: ServerLogger): Promise<JobStore> {
    const store = new JobStore(dataDir, logger);
    if (dataDir === undefined) return store;
    const root = join(dataDir, 'fine-tuning');
    await mkdir(root, { recursive: true });
    const jobs: JobRecord[] = [];
    for (const tenant of await readdir(root)) {
      for (const name of await readdir(join(root, tenant))) {
        if (!name.endsWith('.json')) continue;
        jobs.push(JSON.parse(await readFile(join(root, tenant, name), 'utf8'), reviver) as JobRecord);
      }
    }
    jobs.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const job of jobs) store.add(job);
    return store;
  }

  add(job: JobRecord): void {
    const jobs = this.#tenants.get(job.tenant) ?? new Map<string, JobRecord>();
    this.#tenants.set(job.tenant, jobs);
    jobs.set(job.id, job);
  }

  get(tenant: string, id: string): JobRecord | undefined {
    return this.#tenants.get(tenant)?.get(id);
  }

  /** The tenant's jobs, oldest first. */
  list(tenant: string): JobRecord[] {
    return [...(this.#tenants.get(tenant)?.values() ?? [])];
  }

  all(): JobRecord[] {
    return [...this.#tenants.values()].flatMap((jobs) => [...jobs.values()]);
  }

  /** Writes the job as it is now (after the writes before it); a disk failure is logged, never thrown. */
  save(job: JobRecord): Promise<void> {
    // A dropped job is not written again (a late write of its worker would bring its file back).
    if (this.dataDir === undefined || this.get(job.tenant, job.id) !== job) return Promise.resolve();
    const dir = this.#tenantDir(job.tenant)!;
    const text = JSON.stringify(job, replacer);
    return this.#queueWrite(job.id, async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${job.id}.tmp`), text);
      await rename(join(dir, `${job.id}.tmp`), join(dir, `${job.id}.json`));
    });
  }

  /**
   * Forgets the job now and removes its file once its pending writes landed. Its kept model
   * (`<id>.onnx`) is left alone: `deleteModel` removes it when the tenant deletes the model.
   */
  drop(job: JobRecord): Promise<void> {
    this.#tenants.get(job.tenant)?.delete(job.id);
    const dir = this.#tenantDir(job.tenant);
    if (dir === undefined) return Promise.resolve();
    return this.#queueWrite(job.id, async () => {
      await rm(join(dir, `${job.id}.json`), { force: true });
      await rm(join(dir, `${job.id}.tmp`), { force: true });
    });
  }

  /** Runs a disk change of the job after the ones before it; a failure is logged, never thrown. */
  #queueWrite(id: string, change: () => Promise<void>): Promise<void> {
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const write = previous
      .then(change)
      .catch((error: Error) =>
        this.logger.warn('could not keep a fine-tuning job on disk', { job: id, reason: error.message }),
      );
    this.#writes.set(id, write);
    void write.then(() => {
      if (this.#writes.get(id) === write) this.#writes.delete(id);
    });
    return write;
  }

  #tenantDir(tenant: string): string | undefined {
    return this.dataDir === undefined
      ? undefined
      : join(this.dataDir, 'fine-tuning', tenant.replace(/[^\w-]/g, '_'));
  }

  /** Keeps the job's trained model (`<id>.onnx`), to deploy it again after a restart. */
  async saveModel(job: JobRecord, bytes: Uint8Array): Promise<void> {
    const dir = this.#tenantDir(job.tenant);
    if (dir === undefined) return;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${job.id}.onnx`), bytes).catch((error: Error) =>
      this.logger.warn('could not keep a fine-tuned model on disk', { job: job.id, reason: error.message }),
    );
  }

  /** The job's kept model, or undefined (none kept, or deleted). */
  async readModel(job: JobRecord): Promise<Uint8Array | undefined> {
    const dir = this.#tenantDir(job.tenant);
    if (dir === undefined) return undefined;
    return readFile(join(dir, `${job.id}.onnx`)).catch(() => undefined);
  }

  /** Forgets the job's kept model (its tenant deleted it). */
  async deleteModel(job: JobRecord): Promise<void> {
    const dir = this.#tenantDir(job.tenant);
    if (dir !== undefined) await rm(join(dir, `${job.id}.onnx`), { force: true });
  }

  /** Waits for every pending write (the server is closing). */
  async flush(): Promise<void> {
    await Promise.all(this.#writes.values());
  }
}
