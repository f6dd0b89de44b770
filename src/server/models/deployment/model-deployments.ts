import { HttpError } from '../../http/http-error.js';
import type { InferenceEngine } from '../../inference/inference-engine.js';
import type { ServerLogger } from '../../server-logger.js';
import { compareVersions, isValidModelName } from '../model-name-rules.js';
import type { ModelRegistry, ModelVersionEntry } from '../model-registry.js';
import { DeployedSessions } from './deployed-sessions.js';
import { DeployedTime, type DeploymentBilling } from './deployed-time.js';
import { type DeploymentConfig, parseDeploymentConfig } from './deployment-config.js';
import type { DeploymentBytes, DeploymentFile, DeploymentFiles } from './deployment-files.js';
import { deploymentLimitProblem } from './deployment-limits.js';
import type { ResolvedDeploymentOptions } from './deployment-options.js';
import { type DeploymentState, DeploymentTable } from './deployment-table.js';
import { InFlightLeases } from './in-flight-leases.js';

/**
 * What a load asks for: a config (JSON text) and files, either of which may be absent. Files
 * already kept ({@link DeploymentFiles.keep}, or written by the load body's thread) belong to
 * the load from then on: the deployment keeps them, or they are removed when it fails.
 */
export interface LoadRequest {
  configText?: string | undefined;
  files: (DeploymentFile | DeploymentBytes)[];
  /** The load request, named by the deployment's time charges. */
  requestId?: string | undefined;
}

/** One row of `POST /v2/repository/index`. */
export interface IndexEntry {
  name: string;
  version?: string;
  state: DeploymentState;
  reason?: string;
}

function loadFailed(name: string, reason: string): HttpError {
  return new HttpError(400, `failed to load '${name}': ${reason}`, { code: 'load_failed' });
}

function notFound(name: string): HttpError {
  return new HttpError(404, `The model '${name}' does not exist or is not served here.`, {
    code: 'model_not_found',
  });
}

/**
 * The model lifecycle of Triton's repository extension for models tenants deploy: load (with
 * file overrides, so a user's ONNX model serves without a restart), reload (new sessions load
 * beside the old; requests that started on the old finish there) and unload (after in-flight
 * work drains). A deployed model is its tenant's alone; built-in and repository models are
 * shared and cannot be replaced. One load or unload per model runs at a time.
 *
 * @example
 * await deployments.load('key_abc', 'iris', { configText: '{}', files: [{ version: '1', bytes }] });
 * deployments.index('key_abc', false); // [..., { name: 'iris', version: '1', state: 'READY' }]
 */
export class ModelDeployments {
  readonly #table = new DeploymentTable();
  readonly #leases = new InFlightLeases();
  readonly #releases = new Set<Promise<void>>();
  readonly #time = new DeployedTime();
  readonly #sessions: DeployedSessions;

  constructor(
    readonly registry: ModelRegistry,
    readonly engine: InferenceEngine,
    readonly files: DeploymentFiles,
    readonly options: ResolvedDeploymentOptions,
    readonly logger: ServerLogger,
  ) {
    this.#sessions = new DeployedSessions(engine, files);
  }

  /** Bills READY time from now on through `billing` (the server's ledger and rate card). */
  attachBilling(billing: DeploymentBilling): void {
    this.#time.attach(billing);
  }

  /** Bills the whole seconds `tenant`'s models have been READY since last billed (before its usage is read). */
  accrue(tenant: string): void {
    this.#time.accrue(tenant);
  }

  /** Marks a request as running on `entry` until the returned function is called. */
  hold(entry: ModelVersionEntry): () => void {
    return this.#leases.hold(entry.engineKey);
  }

  /** Every model `tenant` may see, one row per version; `readyOnly` keeps the READY ones. */
  index(tenant: string, readyOnly: boolean): IndexEntry[] {
    const rows: IndexEntry[] = [];
    for (const name of this.registry.names()) {
      for (const { version } of this.registry.get(name)!.versions)
        rows.push({ name, version, state: 'READY' });
    }
    for (const record of this.#table.records(tenant)) {
      const reason = record.reason === undefined ? {} : { reason: record.reason };
      for (const version of record.versions)
        rows.push({ name: record.name, version, state: record.state, ...reason });
    }
    return readyOnly ? rows.filter((row) => row.state === 'READY') : rows;
  }

  /** Loads or reloads `name` for `tenant`; a 400 saying what was wrong when it cannot. */
  async load(tenant: string, name: string, request: LoadRequest, persist = true): Promise<void> {
    const files: DeploymentFile[] = [];
    try {
      for (const file of request.files) files.push('bytes' in file ? await this.files.keep(file) : file);
      if (!isValidModelName(name))
        throw loadFailed(name, 'a model name is a letter or digit, then letters, digits, ., _, - or :');
      const kept = { ...request, files };
      await this.#table.serially(tenant, name, () => this.#load(tenant, name, kept, persist));
    } catch (error) {
      // A load that failed keeps none of its files (those kept here, and those it was given).
      const given = request.files.filter((file): file is DeploymentFile => 'path' in file);
      await this.files.discard([...new Set([...files, ...given])]);
      throw error;
    }
  }

  /** Unloads `name` once its in-flight requests finished; 404 when `tenant` has no such model. */
  unload(tenant: string, name: string): Promise<void> {
    return this.#table.serially(tenant, name, () => this.#unload(tenant, name));
  }

  /** Deploys again what the repository directory kept; a deployment that fails now is skipped with a warning. */
  async restore(): Promise<void> {
    for (const kept of await this.files.restore(this.logger)) {
      await this.load(kept.tenant, kept.name, kept, false).catch((error: Error) =>
        this.logger.warn('skipping a kept deployment that cannot be served', {
          model: kept.name,
          tenant: kept.tenant,
          reason: error.message,
        }),
      );
    }
  }

  /** Waits for sessions being released, then drops the private file copies. */
  async close(): Promise<void> {
    this.#time.endAll();
    await Promise.all(this.#releases);
    await this.files.close();
  }

  async #load(
    tenant: string,
    name: string,
    request: LoadRequest & { files: DeploymentFile[] },
    persist: boolean,
  ): Promise<void> {
    if (this.registry.get(name) !== undefined) {
      // Loading a shared model is a no-op, as it is always loaded; replacing it is not allowed.
      if (request.files.length === 0 && request.configText === undefined) return;
      throw loadFailed(name, 'it is a model the server serves to everyone; deploy yours under another name');
    }
    const current = this.#table.get(tenant, name);
    const files = request.files.length > 0 ? request.files : (current?.files ?? []);
    if (files.length === 0)
      throw loadFailed(name, 'no model file was given (parameter file:<version>/model.onnx)');
    const configText = request.configText ?? current?.configText;
    const config = this.#parseConfig(name, configText);
    for (const file of files) {
      if (file.problem !== undefined)
        throw loadFailed(name, `file:${file.version}/model.onnx ${file.problem}`);
    }
    if (this.#time.billing?.isPriced(name) === false)
      throw loadFailed(name, 'the rate card prices no such model; add it or a default_model to the card');
    const overLimit = deploymentLimitProblem(this.#table.records(tenant), name, files, this.options);
    if (overLimit !== undefined) throw loadFailed(name, overLimit);
    const replacing = current?.state === 'READY' ? current : undefined;
    if (replacing === undefined)
      this.#table.set(tenant, { name, state: 'LOADING', versions: versionsOf(files), files, configText });
    let entries: ModelVersionEntry[];
    try {
      entries = await this.#sessions.open(tenant, name, config, files);
      for (const entry of entries) this.#leases.track(entry.engineKey);
    } catch (error) {
      const reason = (error as Error).message;
      // A failed reload leaves the serving versions as they were, as Triton does.
      if (replacing === undefined)
        this.#table.set(tenant, {
          name,
          state: 'UNAVAILABLE',
          reason,
          versions: versionsOf(files),
          files: [],
          configText,
        });
      throw loadFailed(name, reason);
    }
    this.registry.setDeployed({ name, source: 'deployed', owner: tenant, versions: entries });
    this.#table.set(tenant, {
      name,
      state: 'READY',
      versions: versionsOf(files),
      files,
      configText,
      entries,
    });
    this.#time.start(tenant, name, request.requestId ?? `restored:${name}`);
    if (replacing?.entries !== undefined) this.#release(replacing.entries);
    // Replaced files: their sessions load from copies of their own.
    if (request.files.length > 0 && current !== undefined) await this.files.discard(current.files);
    if (persist) {
      await this.files.persist(tenant, name, configText, files).catch((error: Error) =>
        this.logger.warn('could not keep a deployed model in the repository', {
          model: name,
          reason: error.message,
        }),
      );
    }
  }

  async #unload(tenant: string, name: string): Promise<void> {
    if (this.registry.get(name) !== undefined)
      throw new HttpError(400, `failed to unload '${name}': it is a model the server serves to everyone`);
    const current = this.#table.get(tenant, name);
    if (current === undefined) throw notFound(name);
    if (current.state !== 'READY' || current.entries === undefined) return;
    this.registry.removeDeployed(tenant, name);
    this.#time.end(tenant, name);
    this.#table.set(tenant, {
      ...current,
      state: 'UNAVAILABLE',
      reason: 'unloaded',
      files: [],
      entries: undefined,
    });
    await this.#release(current.entries);
    await this.files.discard(current.files);
    await this.files.forget(tenant, name);
  }

  #parseConfig(name: string, configText: string | undefined): DeploymentConfig {
    try {
      return configText === undefined ? {} : parseDeploymentConfig(configText, name);
    } catch (error) {
      throw loadFailed(name, (error as Error).message);
    }
  }

  /** Releases replaced sessions once the requests that started on them finished. */
  #release(entries: readonly ModelVersionEntry[]): Promise<void> {
    const released = Promise.all(entries.map((entry) => this.#leases.drain(entry.engineKey)))
      .then(() => this.#sessions.close(entries))
      .catch((error: Error) =>
        this.logger.warn('could not release a deployed model', { reason: error.message }),
      )
      .finally(() => this.#releases.delete(released));
    this.#releases.add(released);
    return released;
  }
}

function versionsOf(files: readonly DeploymentFile[]): string[] {
  return files.map((file) => file.version).sort(compareVersions);
}
