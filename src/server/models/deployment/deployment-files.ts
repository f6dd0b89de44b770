import { existsSync } from 'node:fs';
import {
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerLogger } from '../../server-logger.js';
import { scanTritonRepository } from '../triton-repository.js';
import { onnxEnvelopeProblem } from './onnx-envelope.js';

/** One version's ONNX file in memory, as a caller gives it. */
export interface DeploymentBytes {
  version: string;
  bytes: Uint8Array;
}

/**
 * One version's ONNX file as a deployment keeps it: a private copy on disk, never rewritten, so
 * megabytes of model stay out of the event loop's heap (each upload's bytes there were garbage
 * that pushed the heap to a full collection every few loads).
 */
export interface DeploymentFile {
  version: string;
  path: string;
  size: number;
  /** Why its bytes cannot be an ONNX model ({@link onnxEnvelopeProblem}), or undefined. */
  problem: string | undefined;
}

/** A deployment read back from the repository directory at start-up. */
export interface PersistedDeployment {
  tenant: string;
  name: string;
  configText: string | undefined;
  files: DeploymentBytes[];
}

/**
 * A second name for a file that is never rewritten: a hard link costs no copy of its megabytes,
 * and the bytes stay while either name does. A copy where links cannot go (another file system).
 */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? ''))
      throw error;
    await copyFile(from, to);
  }
}

/** unlink, not rm: rm walks its options and the path in JavaScript on the event loop. */
async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Where an upload's file of `version` goes, under a prefix from {@link DeploymentFiles.uploadPrefix}. */
export function uploadFilePath(prefix: string, version: string): string {
  return `${prefix}-${version}.onnx`;
}

/** What a deployment keeps of `bytes`, once they are written at `path`. */
export function describeDeploymentFile(version: string, path: string, bytes: Uint8Array): DeploymentFile {
  return { version, path, size: bytes.length, problem: onnxEnvelopeProblem(bytes) };
}

/** The folder under the models directory that holds one Triton repository per tenant. */
export const tenantsFolder = '.tenants';

/**
 * Where deployed models' files live. Uploads are kept in a private temporary folder, and each
 * session loads from a name of its own for its file there (a hard link, so a reload or an unload
 * never removes a file a live session or a restarted worker reads); with a models directory, each deployment is also kept in Triton layout under
 * `<modelsDir>/.tenants/<tenant>/<model>/<version>/model.onnx` with its `config.json`, and is
 * deployed again at the next start.
 *
 * @example
 * const files = new DeploymentFiles('./models');
 * const kept = await files.keep({ version: '1', bytes });
 * const path = await files.writeSessionFile(kept);
 */
export class DeploymentFiles {
  readonly #root: string | undefined;
  #privateDir: Promise<string> | undefined;
  #counter = 0;

  constructor(modelsDir: string | undefined) {
    this.#root = modelsDir === undefined ? undefined : join(modelsDir, tenantsFolder);
  }

  /** A fresh prefix in the private folder for one upload's files ({@link uploadFilePath}). */
  async uploadPrefix(): Promise<string> {
    return join(await this.#directory(), `upload-${++this.#counter}`);
  }

  /** Writes `file` into the private folder. */
  async keep(file: DeploymentBytes): Promise<DeploymentFile> {
    const path = uploadFilePath(await this.uploadPrefix(), file.version);
    await writeFile(path, file.bytes);
    return describeDeploymentFile(file.version, path, file.bytes);
  }

  /** Removes kept files nothing uses any more. */
  async discard(files: readonly DeploymentFile[]): Promise<void> {
    await Promise.all(files.map((file) => removeFile(file.path)));
  }

  /** Gives a session a path of its own to a kept file and returns it. */
  async writeSessionFile(file: DeploymentFile): Promise<string> {
    const path = join(await this.#directory(), `${++this.#counter}.onnx`);
    await linkOrCopy(file.path, path);
    return path;
  }

  async removeSessionFile(path: string): Promise<void> {
    await removeFile(path);
  }

  /** Replaces what the repository keeps for this model (nothing without a models directory). */
  async persist(tenant: string, name: string, configText: string | undefined, files: DeploymentFile[]) {
    if (this.#root === undefined) return;
    const tenantDir = join(this.#root, tenant);
    // Written beside and renamed into place, so a crash never leaves half a model to restore.
    const staging = join(tenantDir, `.${name}.staging`);
    await rm(staging, { recursive: true, force: true });
    for (const file of files) {
      await mkdir(join(staging, file.version), { recursive: true });
      await linkOrCopy(file.path, join(staging, file.version, 'model.onnx'));
    }
    if (configText !== undefined) await writeFile(join(staging, 'config.json'), configText);
    await rm(join(tenantDir, name), { recursive: true, force: true });
    await rename(staging, join(tenantDir, name));
  }

  /** Drops what the repository keeps for this model. */
  async forget(tenant: string, name: string): Promise<void> {
    if (this.#root === undefined) return;
    await rm(join(this.#root, tenant, name), { recursive: true, force: true });
  }

  /** Every deployment the repository kept, to deploy again at start-up. */
  async restore(logger: ServerLogger): Promise<PersistedDeployment[]> {
    if (this.#root === undefined || !existsSync(this.#root)) return [];
    const restored: PersistedDeployment[] = [];
    for (const tenant of await readdir(this.#root, { withFileTypes: true })) {
      if (!tenant.isDirectory()) continue;
      const tenantDir = join(this.#root, tenant.name);
      for (const model of await scanTritonRepository(tenantDir, logger)) {
        const configPath = join(tenantDir, model.name, 'config.json');
        const configText = existsSync(configPath) ? await readFile(configPath, 'utf8') : undefined;
        const files: DeploymentBytes[] = [];
        for (const { version, path } of model.versions) files.push({ version, bytes: await readFile(path) });
        restored.push({ tenant: tenant.name, name: model.name, configText, files });
      }
    }
    return restored;
  }

  /** Removes the private folder: kept uploads and session copies. */
  async close(): Promise<void> {
    if (this.#privateDir === undefined) return;
    await rm(await this.#privateDir, { recursive: true, force: true });
  }

  #directory(): Promise<string> {
    this.#privateDir ??= mkdtemp(join(tmpdir(), 'aiaas-deployed-'));
    return this.#privateDir;
  }
}
