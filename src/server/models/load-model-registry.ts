import { existsSync } from 'node:fs';
import type { InferenceEngine } from '../inference/inference-engine.js';
import type { ModelSignature } from '../inference/model-signature.js';
import type { ServerLogger } from '../server-logger.js';
import { builtInModelFile, builtInModelNames, builtInModelVersion } from './model-files.js';
import { engineKeyOf, ModelRegistry, type ModelVersionEntry } from './model-registry.js';
import { scanTritonRepository } from './triton-repository.js';

export interface LoadModelRegistryOptions {
  engine: InferenceEngine;
  /** A Triton-layout repository served beside the built-in models. */
  modelsDir?: string | undefined;
  logger: ServerLogger;
}

/** Names of inputs or outputs whose type cannot cross the onnxruntime-node boundary (int4, sequences…). */
export function unexchangeable(signature: ModelSignature): string[] {
  return [...signature.inputs, ...signature.outputs]
    .filter((tensor) => tensor.type === undefined)
    .map((tensor) => `${tensor.name} (${tensor.declaredType})`);
}

async function loadVersion(
  engine: InferenceEngine,
  name: string,
  version: string,
  path: string,
): Promise<ModelVersionEntry> {
  const engineKey = engineKeyOf(name, version);
  const signature = await engine.load(engineKey, path);
  const unusable = unexchangeable(signature);
  if (unusable.length > 0) {
    await engine.unload(engineKey);
    throw new Error(`it uses types onnxruntime-node cannot exchange: ${unusable.join(', ')}`);
  }
  return { name, version, engineKey, path, signature };
}

/**
 * Loads the built-in models (a missing one is a broken install and fails start-up) and then
 * every model of the repository. A repository model that fails to load is skipped with a
 * warning, as Triton marks it unavailable and serves the rest; a repository model that
 * takes a built-in name fails start-up, since silently shadowing either would surprise.
 *
 * @example
 * const registry = await loadModelRegistry({ engine, modelsDir: './my-models', logger });
 */
export async function loadModelRegistry(options: LoadModelRegistryOptions): Promise<ModelRegistry> {
  const { engine, logger } = options;
  const registry = new ModelRegistry();
  for (const name of builtInModelNames) {
    const path = builtInModelFile(name);
    if (!existsSync(path)) throw new Error(`The built-in model ${name} is missing: ${path} does not exist.`);
    const entry = await loadVersion(engine, name, builtInModelVersion, path);
    registry.add({ name, source: 'built-in', versions: [entry] });
  }
  if (options.modelsDir === undefined) return registry;

  for (const model of await scanTritonRepository(options.modelsDir, logger)) {
    if (registry.get(model.name) !== undefined) {
      throw new Error(
        `The repository model '${model.name}' has the name of a built-in model; rename its folder.`,
      );
    }
    const versions: ModelVersionEntry[] = [];
    for (const { version, path } of model.versions) {
      try {
        versions.push(await loadVersion(engine, model.name, version, path));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn('skipping a model version that cannot be served', { model: model.name, version, reason });
      }
    }
    if (versions.length > 0) registry.add({ name: model.name, source: 'repository', versions });
  }
  return registry;
}
