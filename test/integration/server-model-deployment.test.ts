import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import {
  affineConfig,
  inferAffine,
  loadModel,
  repositoryIndex,
  unloadModel,
} from './deployment-test-client.js';
import { type JsonAnswer, requestJson } from './server-test-client.js';
import { affineModel } from './server-test-models.js';

const keyA = 'sk-tenant-a';
const keyB = 'sk-tenant-b';
const repository = mkdtempSync(join(tmpdir(), 'aiaas-deploy-'));
const options = { port: 0, apiKeys: [keyA, keyB], modelsDir: repository, workers: 2 };
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer(options);
});
afterAll(async () => {
  await server.close();
  rmSync(repository, { recursive: true, force: true });
});

/** Infers in `clients` loops until `stop()`; every answer is kept. */
function inferUnderLoad(name: string, clients: number) {
  const answers: JsonAnswer[] = [];
  let stopped = false;
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) answers.push(await inferAffine(server.url, keyA, name));
  });
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe("deploying a tenant's own ONNX model (Triton's repository extension)", () => {
  it('loads a model made by the test, lists it READY and serves it with no restart', async () => {
    const load = await loadModel(server.url, keyA, 'affine', {
      config: affineConfig,
      files: { 1: affineModel(2, 1) },
    });
    expect(load.status).toBe(200);
    const index = (await repositoryIndex(server.url, keyA)).body;
    expect(index).toContainEqual({ name: 'affine', version: '1', state: 'READY' });
    expect(index).toContainEqual({ name: 'ref-classify', version: '1', state: 'READY' });
    const answer = await inferAffine(server.url, keyA, 'affine');
    expect(answer.body).toMatchObject({
      model_name: 'affine',
      model_version: '1',
      outputs: [{ data: [3, 5, 7] }],
    });
    const metadata = await requestJson(`${server.url}/v2/models/affine`, {
      headers: { authorization: `Bearer ${keyA}` },
    });
    expect(metadata.body).toMatchObject({
      name: 'affine',
      versions: ['1'],
      inputs: [{ name: 'x', shape: [-1, 3] }],
    });
  });

  it('reloads a new version under concurrent load with zero failed requests', async () => {
    const load = inferUnderLoad('affine', 6);
    await vi.waitFor(() => expect(load.answers.length).toBeGreaterThanOrEqual(20), { timeout: 30_000 });
    const reload = await loadModel(server.url, keyA, 'affine', {
      config: affineConfig,
      files: { 2: affineModel(10, -1) },
    });
    expect(reload.status).toBe(200);
    const afterReload = load.answers.length;
    await vi.waitFor(() => expect(load.answers.length).toBeGreaterThanOrEqual(afterReload + 20), {
      timeout: 30_000,
    });
    await load.stop();
    expect(load.answers.filter((answer) => answer.status !== 200)).toEqual([]);
    // Each request finished on the version it started on: its outputs are that version's.
    const expected: Record<string, number[]> = { 1: [3, 5, 7], 2: [9, 19, 29] };
    for (const { body } of load.answers) expect(body.outputs[0].data).toEqual(expected[body.model_version]);
    const versions = new Set(load.answers.map(({ body }) => body.model_version));
    expect(versions).toEqual(new Set(['1', '2']));
    expect((await inferAffine(server.url, keyA, 'affine')).body.model_version).toBe('2');
    expect((await repositoryIndex(server.url, keyA, true)).body).toContainEqual({
      name: 'affine',
      version: '2',
      state: 'READY',
    });
  });

  it("keeps a tenant's model its own: another tenant gets 404 as for a model that does not exist", async () => {
    const index = (await repositoryIndex(server.url, keyB)).body as { name: string }[];
    expect(index.map((entry) => entry.name)).not.toContain('affine');
    expect(index.map((entry) => entry.name)).toContain('ref-chat');
    const other = await inferAffine(server.url, keyB, 'affine');
    const missing = await inferAffine(server.url, keyB, 'no-such-model');
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: missing.body.error.replace('no-such-model', 'affine') });
    expect((await unloadModel(server.url, keyB, 'affine')).status).toBe(404);
    expect(
      (await requestJson(`${server.url}/v2/models/affine`, { headers: { authorization: `Bearer ${keyB}` } }))
        .status,
    ).toBe(404);
    // B may deploy its own model under the same name; each tenant sees its own.
    expect((await loadModel(server.url, keyB, 'affine', { files: { 1: affineModel(1, 100) } })).status).toBe(
      200,
    );
    expect((await inferAffine(server.url, keyB, 'affine')).body.outputs[0].data).toEqual([101, 102, 103]);
    expect((await inferAffine(server.url, keyA, 'affine')).body.outputs[0].data).toEqual([9, 19, 29]);
    // Shared models cannot be replaced or unloaded by a tenant.
    const replace = await loadModel(server.url, keyB, 'ref-classify', { files: { 1: affineModel(1, 1) } });
    expect(replace.status).toBe(400);
    expect(replace.body.error).toMatch(/serves to everyone/);
    expect((await unloadModel(server.url, keyB, 'ref-classify')).status).toBe(400);
  });

  it('keeps deployed models across a restart with a repository directory', async () => {
    await server.close();
    server = await startReferenceServer(options);
    expect((await inferAffine(server.url, keyA, 'affine')).body).toMatchObject({
      model_version: '2',
      outputs: [{ data: [9, 19, 29] }],
    });
    expect((await inferAffine(server.url, keyB, 'affine')).body.outputs[0].data).toEqual([101, 102, 103]);
    // The tenants' folder is not a shared model of the repository.
    expect(server.models).toEqual(['ref-chat', 'ref-embed', 'ref-classify']);
  });

  it('unloads after in-flight requests drained: every request succeeds or finds no model', async () => {
    const load = inferUnderLoad('affine', 6);
    await vi.waitFor(() => expect(load.answers.length).toBeGreaterThanOrEqual(20), { timeout: 30_000 });
    expect((await unloadModel(server.url, keyA, 'affine')).status).toBe(200);
    await vi.waitFor(() => expect(load.answers.at(-1)?.status).toBe(404), { timeout: 30_000 });
    await load.stop();
    expect(load.answers.filter((answer) => answer.status !== 200 && answer.status !== 404)).toEqual([]);
    for (const answer of load.answers.filter((candidate) => candidate.status === 200)) {
      expect(answer.body.outputs[0].data).toEqual([9, 19, 29]);
    }
    expect((await repositoryIndex(server.url, keyA)).body).toContainEqual({
      name: 'affine',
      version: '2',
      state: 'UNAVAILABLE',
      reason: 'unloaded',
    });
    expect(
      (await repositoryIndex(server.url, keyA, true)).body.map((entry: { name: string }) => entry.name),
    ).not.toContain('affine');
    // Unloaded is gone for good: a restart does not bring it back; B's model stays.
    await server.close();
    server = await startReferenceServer(options);
    expect((await inferAffine(server.url, keyA, 'affine')).status).toBe(404);
    expect((await inferAffine(server.url, keyB, 'affine')).status).toBe(200);
  });
});
