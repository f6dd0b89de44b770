import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerLogger } from '../../server-logger.js';
import { scanTritonRepository } from '../triton-repository.js';

/** One version's ONNX file as uploaded. */
export interface DeploymentFile {
  version: string;
  bytes: Uint8Array;
}

/** A deployment read back from the repository directory at start-up. */
export interface PersistedDeployment {
  tenant: string;
  name: string;
  configText: string | undefined;
  files: DeploymentFile[];
}

/** The folder under the models directory that holds one Triton repository per tenant. */
export const tenantsFolder = '.tenants';

/**
 * Where deployed models' files live. Sessions load from private copies in a temporary folder
 * (so a reload never rewrites a file a live session or a restarted worker reads); with a
 * models directory, each deployment is also kept in Triton layout under
 * `<modelsDir>/.tenants/<tenant>/<model>/<version>/model.onnx` with its `config.json`, and is
 * deployed again at the next start.
 *
 * @example
 * const files = new DeploymentFiles('./models');
 * const path = await files.writeSessionFile(bytes);
 */
export class DeploymentFiles {
  readonly #root: string | undefined;
  #sessionDir: Promise<string> | undefined;
  #counter = 0;

  constructor(modelsDir: string | undefined) {
    this.#root = modelsDir === undefined ? undefined : join(modelsDir, tenantsFolder);
  }

  /** Writes a private copy for a session to load and returns its path. */
  async writeSessionFile(bytes: Uint8Array): Promise<string> {
    this.#sessionDir ??= mkdtemp(join(tmpdir(), 'aiaas-deployed-'));
    const path = join(await this.#sessionDir, `${++this.#counter}.onnx`);
    await writeFile(path, bytes);
    return path;
  }

  async removeSessionFile(path: string): Promise<void> {
    // unlink, not rm: rm walks its options and the path in JavaScript on the event loop.
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
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
      await writeFile(join(staging, file.version, 'model.onnx'), file.bytes);
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
        const files: DeploymentFile[] = [];
        for (const { version, path } of model.versions) files.push({ version, bytes: await readFile(path) });
        restored.push({ tenant: tenant.name, name: model.name, configText, files });
      }
    }
    return restored;
  }

  /** Removes the private session copies. */
  async close(): Promise<void> {
    if (this.#sessionDir === undefined) return;
    await rm(await this.#sessionDir, { recursive: true, force: true });
  }
}
