import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { useTemporaryDirectories } from '../support/temporary-directories.js';
import { affineConfig, inferAffine, loadModel, unloadModel } from './deployment-test-client.js';
import { affineModel } from './server-test-models.js';

// Uploads are kept as files in the server's private folder (large ones written by the load body
// thread); every load, reload, failure and unload must leave exactly what is still in use.
const key = 'sk-deployment-files';
const embedBytes = readFileSync(new URL('../../models/ref-embed/1/model.onnx', import.meta.url));
const temporaryDirectory = useTemporaryDirectories('aiaas-deployment-files');
let server: ReferenceServer;
let scratch: string;
const previousTmpdir = process.env.TMPDIR;

beforeAll(async () => {
  // os.tmpdir() reads TMPDIR: the server's private folder lands where this test can list it.
  scratch = temporaryDirectory();
  process.env.TMPDIR = scratch;
  server = await startReferenceServer({ port: 0, apiKeys: [key], maxDeployedModelsPerTenant: 3 });
});
afterAll(async () => {
  await server.close();
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
});

/** The files in the server's private deployment folder: kept uploads and session copies. */
function privateFiles(): { uploads: string[]; sessions: string[] } {
  const folders = readdirSync(scratch).filter((name) => name.startsWith('aiaas-deployed-'));
  const names = folders.flatMap((folder) => readdirSync(join(scratch, folder)));
  return {
    uploads: names.filter((name) => name.startsWith('upload-')).sort(),
    sessions: names.filter((name) => !name.startsWith('upload-')).sort(),
  };
}

async function expectKept(uploads: number, sessions: number): Promise<void> {
  // Replaced sessions close once their requests drained, just after the answer.
  await vi.waitFor(
    () => {
      const kept = privateFiles();
      expect({ uploads: kept.uploads.length, sessions: kept.sessions.length }).toEqual({ uploads, sessions });
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('deployed model files', () => {
  it('keeps one upload and one session copy per serving version, and nothing of failed loads', async () => {
    const small = (version: number) => ({
      config: affineConfig,
      files: { [version]: affineModel(version, 0) },
    });
    expect((await loadModel(server.url, key, 'affine', small(1))).status).toBe(200);
    await expectKept(1, 1);

    // A large model goes through the decoding thread, which writes its file itself.
    expect((await loadModel(server.url, key, 'embed', { files: { 1: embedBytes } })).status).toBe(200);
    await expectKept(2, 2);

    // Refused loads: not ONNX, a config the graph contradicts, an invalid name, over the model limit.
    const notOnnx = await loadModel(server.url, key, 'affine', { files: { 2: Buffer.from('not a model') } });
    expect(notOnnx.status).toBe(400);
    const badConfig = { config: { ...affineConfig, max_batch_size: -1 }, files: { 2: affineModel(2, 0) } };
    expect((await loadModel(server.url, key, 'affine', badConfig)).status).toBe(400);
    expect((await loadModel(server.url, key, '-bad-name', small(1))).status).toBe(400);
    expect(
      (
        await loadModel(server.url, key, 'large-bad', {
          files: { 1: Buffer.concat([embedBytes, Buffer.from([0xff])]) },
        })
      ).status,
    ).toBe(400);
    await expectKept(2, 2);

    // A reload with a new file replaces the upload; one with only a config keeps it.
    expect((await loadModel(server.url, key, 'affine', small(2))).status).toBe(200);
    await expectKept(2, 2);
    expect((await loadModel(server.url, key, 'affine', { config: affineConfig })).status).toBe(200);
    await expectKept(2, 2);
    expect((await inferAffine(server.url, key, 'affine')).status).toBe(200);

    expect((await unloadModel(server.url, key, 'affine')).status).toBe(200);
    expect((await unloadModel(server.url, key, 'embed')).status).toBe(200);
    await expectKept(0, 0);
  });
});
