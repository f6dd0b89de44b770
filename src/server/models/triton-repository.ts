import { type Dirent, existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ServerLogger } from '../server-logger.js';
import { compareVersions, isValidModelName, isValidModelVersion } from './model-name-rules.js';

/** One model found in a repository, with its versions in ascending order. */
export interface RepositoryModel {
  name: string;
  versions: { version: string; path: string }[];
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

function isInside(root: string, path: string): boolean {
  return path.startsWith(root + sep);
}

async function scanVersions(root: string, modelDirectory: string, name: string, logger: ServerLogger) {
  const versions: { version: string; path: string }[] = [];
  for (const entry of await readdir(modelDirectory, { withFileTypes: true })) {
    if (!isValidModelVersion(entry.name)) continue;
    const file = join(modelDirectory, entry.name, 'model.onnx');
    if (!existsSync(file)) continue;
    // A symlink may point anywhere; only files that really live inside the repository are served.
    const resolved = await realpath(file);
    if (!isInside(root, resolved)) {
      logger.warn('skipping a model file outside the repository', { model: name, version: entry.name });
      continue;
    }
    versions.push({ version: entry.name, path: resolved });
  }
  return versions.sort((left, right) => compareVersions(left.version, right.version));
}

/**
 * Reads a Triton-layout model repository: `<dir>/<model>/<version>/model.onnx`, versions
 * being positive integers. Folders with names that are not valid model names, versions
 * without a `model.onnx`, and files that resolve outside the repository are skipped with
 * a warning, so a stray folder never stops the server.
 *
 * @example
 * const models = await scanTritonRepository('./my-models', logger);
 * // [{ name: 'iris', versions: [{ version: '1', path: '/abs/my-models/iris/1/model.onnx' }] }]
 */
export async function scanTritonRepository(
  directory: string,
  logger: ServerLogger,
): Promise<RepositoryModel[]> {
  if (!(await isDirectory(directory))) throw new Error(`The models directory ${directory} does not exist.`);
  const root = await realpath(directory);
  const entries: Dirent[] = await readdir(root, { withFileTypes: true });
  const models: RepositoryModel[] = [];
  for (const entry of entries.sort((left, right) => (left.name < right.name ? -1 : 1))) {
    // Hidden folders are never models: deployed models live under `.tenants/` (see deployment/).
    if (entry.name.startsWith('.')) continue;
    const modelDirectory = join(root, entry.name);
    if (!(await isDirectory(modelDirectory))) continue;
    if (!isValidModelName(entry.name)) {
      logger.warn('skipping a folder whose name is not a valid model name', { folder: entry.name });
      continue;
    }
    const versions = await scanVersions(root, modelDirectory, entry.name, logger);
    if (versions.length === 0) {
      logger.warn('skipping a model folder without <version>/model.onnx', { model: entry.name });
      continue;
    }
    models.push({ name: entry.name, versions });
  }
  return models;
}
