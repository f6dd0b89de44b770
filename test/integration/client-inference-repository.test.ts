import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient, BadRequestError, NotFoundError, tensor, ValidationError } from '../../src/index.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { affineConfig } from './deployment-test-client.js';
import { affineModel } from './server-test-models.js';

const directory = mkdtempSync(join(tmpdir(), 'aiaas-sdk-deploy-'));
let server: ReferenceServer;
let oip: AiaasClient;
let other: AiaasClient;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: ['sk-sdk-a', 'sk-sdk-b'] });
  const options = { baseURL: server.url, provider: 'oip' as const, maxRetries: 0, logLevel: 'off' as const };
  oip = new AiaasClient({ ...options, apiKey: 'sk-sdk-a' });
  other = new AiaasClient({ ...options, apiKey: 'sk-sdk-b' });
});
afterAll(async () => {
  await oip.close();
  await other.close();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const x = () => [tensor('x', new Float32Array([1, 2, 3]), [1, 3])];

describe('client.inference.repository against aiaas/server', () => {
  it('lists the built-in models with oip.models.list() (no more 404 on the index)', async () => {
    const ids = (await oip.models.list()).data.map((model) => model.id);
    expect(ids).toEqual(['ref-chat', 'ref-embed', 'ref-classify']);
  });

  it('deploys a model from bytes and from a file path, infers it, lists it and unloads it', async () => {
    await oip.inference.repository.load('sdk-affine', {
      config: affineConfig,
      files: { 1: affineModel(2, 1) },
    });
    expect((await oip.inference.infer('sdk-affine', x())).outputs[0]?.data).toEqual(
      new Float32Array([3, 5, 7]),
    );
    const path = join(directory, 'model.onnx');
    writeFileSync(path, affineModel(10, -1));
    await oip.inference.repository.load('sdk-affine', {
      config: JSON.stringify(affineConfig),
      files: { 2: path },
    });
    const result = await oip.inference.infer('sdk-affine', x());
    expect(result.model_version).toBe('2');
    expect(result.outputs[0]?.data).toEqual(new Float32Array([9, 19, 29]));
    expect(await oip.inference.repository.index({ ready: true })).toContainEqual({
      name: 'sdk-affine',
      version: '2',
      state: 'READY',
    });
    expect((await oip.models.list()).data.map((model) => model.id)).toContain('sdk-affine');
    // Another API key neither sees nor reaches it.
    expect((await other.models.list()).data.map((model) => model.id)).not.toContain('sdk-affine');
    await expect(other.inference.infer('sdk-affine', x())).rejects.toBeInstanceOf(NotFoundError);
    await oip.inference.repository.unload('sdk-affine');
    expect(await oip.inference.repository.index()).toContainEqual({
      name: 'sdk-affine',
      version: '2',
      state: 'UNAVAILABLE',
      reason: 'unloaded',
    });
    await expect(oip.inference.infer('sdk-affine', x())).rejects.toBeInstanceOf(NotFoundError);
  });

  it("throws the server's reason for a bad upload, and a ValidationError for a file it cannot read", async () => {
    const bad = await oip.inference.repository
      .load('sdk-bad', { files: { 1: new TextEncoder().encode('not onnx') } })
      .catch((caught: unknown) => caught);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as Error).message).toMatch(/file:1\/model\.onnx is not an ONNX model/);
    const missing = await oip.inference.repository
      .load('sdk-bad', { files: { 1: join(directory, 'nowhere.onnx') } })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).path).toBe('files.1');
    await expect(
      oip.inference.repository.load('sdk-bad', { files: { latest: affineModel(1, 1) } }),
    ).rejects.toThrow(/files\.latest: a version is a positive integer/);
    await expect(oip.inference.repository.unload('never-deployed')).rejects.toBeInstanceOf(NotFoundError);
  });
});
