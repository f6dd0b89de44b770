import { HttpError } from '../http/http-error.js';
import type { ModelSignature } from '../inference/model-signature.js';

export type ModelSource = 'built-in' | 'repository' | 'deployed';

/** One loaded version of a model. */
export interface ModelVersionEntry {
  name: string;
  version: string;
  /** The engine's key for this version's session. */
  engineKey: string;
  path: string;
  signature: ModelSignature;
}

/** A served model: its versions in ascending order; the last one answers when no version is named. */
export interface ModelEntry {
  name: string;
  source: ModelSource;
  versions: ModelVersionEntry[];
  /** The tenant that deployed it; shared models (built-in, repository) have none. */
  owner?: string | undefined;
}

/** The engine key of a model version, e.g. `ref-embed/1`. */
export function engineKeyOf(name: string, version: string): string {
  return `${name}/${version}`;
}

/**
 * The models the server serves, built-in and from the repository, by name and version.
 * Lookups of unknown names or versions answer 404 in the caller's dialect.
 *
 * @example
 * registry.resolve('ref-embed').version; // '1' (the highest)
 * registry.resolve('my-model', '2');
 */
export class ModelRegistry {
  readonly #models = new Map<string, ModelEntry>();
  /** Models tenants deployed, by owner and then name: visible to their owner only. */
  readonly #deployed = new Map<string, Map<string, ModelEntry>>();

  add(model: ModelEntry): void {
    if (this.#models.has(model.name)) throw new Error(`Two models are named '${model.name}'.`);
    if (model.versions.length === 0) throw new Error(`The model '${model.name}' has no versions.`);
    this.#models.set(model.name, model);
  }

  /** Model names in the order they were added (built-in first). */
  names(): string[] {
    return [...this.#models.keys()];
  }

  /** A shared model, or, with `tenant`, one that tenant deployed. */
  get(name: string, tenant?: string): ModelEntry | undefined {
    return (
      this.#models.get(name) ?? (tenant === undefined ? undefined : this.#deployed.get(tenant)?.get(name))
    );
  }

  /** Puts or replaces a tenant's deployed model: requests that resolve from now on get these versions. */
  setDeployed(model: ModelEntry & { owner: string }): void {
    if (this.#models.has(model.name)) throw new Error(`The model '${model.name}' is shared.`);
    const owned = this.#deployed.get(model.owner) ?? new Map<string, ModelEntry>();
    this.#deployed.set(model.owner, owned);
    owned.set(model.name, model);
  }

  removeDeployed(owner: string, name: string): void {
    this.#deployed.get(owner)?.delete(name);
  }

  /** The named version, or the highest one; a 404 when either is unknown (another tenant's model is unknown). */
  resolve(name: string, version?: string, tenant?: string): ModelVersionEntry {
    const model = this.get(name, tenant);
    if (model === undefined) {
      throw new HttpError(404, `The model '${name}' does not exist or is not served here.`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    if (version === undefined) return model.versions[model.versions.length - 1]!;
    const found = model.versions.find((entry) => entry.version === version);
    if (found === undefined) {
      throw new HttpError(404, `The model '${name}' has no version '${version}'.`, {
        code: 'model_not_found',
      });
    }
    return found;
  }
}
