import type { InferenceEngine } from '../../inference/inference-engine.js';
import type { ModelSignature } from '../../inference/model-signature.js';
import { unexchangeable } from '../load-model-registry.js';
import { compareVersions } from '../model-name-rules.js';
import type { ModelVersionEntry } from '../model-registry.js';
import { checkConfigAgainstGraph, type DeploymentConfig } from './deployment-config.js';
import type { DeploymentFile, DeploymentFiles } from './deployment-files.js';

/**
 * Opens and closes the onnxruntime sessions of deployed model versions. Each load gets fresh
 * engine keys (`<tenant>/<model>/<version>#<n>`), so a reload's sessions open beside the ones
 * still serving.
 *
 * @example
 * const entries = await sessions.open('key_1', 'iris', config, [await files.keep({ version: '1', bytes })]);
 */
export class DeployedSessions {
  #generation = 0;

  constructor(
    readonly engine: InferenceEngine,
    readonly files: DeploymentFiles,
  ) {}

  /** Loads every version and checks it against the config; on any failure none stays loaded. */
  async open(
    tenant: string,
    name: string,
    config: DeploymentConfig,
    files: readonly DeploymentFile[],
  ): Promise<ModelVersionEntry[]> {
    const entries: ModelVersionEntry[] = [];
    try {
      for (const file of [...files].sort((left, right) => compareVersions(left.version, right.version))) {
        const path = await this.files.writeSessionFile(file);
        const engineKey = `${tenant}/${name}/${file.version}#${++this.#generation}`;
        let signature: ModelSignature;
        try {
          signature = await this.engine.load(engineKey, path, { isolated: true });
        } catch (error) {
          await this.files.removeSessionFile(path);
          throw new Error(`onnxruntime cannot load version ${file.version}: ${(error as Error).message}`);
        }
        entries.push({ name, version: file.version, engineKey, path, signature });
        checkVersion(file.version, config, signature);
      }
    } catch (error) {
      await this.close(entries);
      throw error;
    }
    return entries;
  }

  /** Releases the sessions and their private file copies. */
  async close(entries: readonly ModelVersionEntry[]): Promise<void> {
    for (const entry of entries) {
      await this.engine.unload(entry.engineKey);
      await this.files.removeSessionFile(entry.path);
    }
  }
}

function checkVersion(version: string, config: DeploymentConfig, signature: ModelSignature): void {
  const unusable = unexchangeable(signature);
  if (unusable.length > 0)
    throw new Error(`version ${version} uses types onnxruntime-node cannot exchange: ${unusable.join(', ')}`);
  try {
    checkConfigAgainstGraph(config, signature);
  } catch (error) {
    throw new Error(`version ${version}: ${(error as Error).message}`);
  }
}
