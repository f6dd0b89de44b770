import { HttpError } from '../http/http-error.js';
import type { ModelSignature } from '../inference/model-signature.js';

export type ModelSource = 'built-in' | 'repository';

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

  add(model: ModelEntry): void {
    if (this.#models.has(model.name)) throw new Error(`Two models are named '${model.name}'.`);
    if (model.versions.length === 0) throw new Error(`The model '${model.name}' has no versions.`);
    this.#models.set(model.name, model);
  }

  /** Model names in the order they were added (built-in first). */
  names(): string[] {
    return [...this.#models.keys()];
  }

  get(name: string): ModelEntry | undefined {
    return this.#models.get(name);
  }

  /** The named version, or the highest one; a 404 when either is unknown. */
  resolve(name: string, version?: string): ModelVersionEntry {
    const model = this.#models.get(name);
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
