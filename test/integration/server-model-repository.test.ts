import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import { builtInModelFile } from '../../src/server/models/model-files.js';
import { rawGet, requestJson } from './server-test-client.js';
import { affineModel, identityModel, identityTypes, writeRepositoryModel } from './server-test-models.js';

const repository = mkdtempSync(join(tmpdir(), 'aiaas-repository-'));
const warnings: string[] = [];
const logger: ServerLogger = {
  info() {},
  error() {},
  warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
};
let server: ReferenceServer;

beforeAll(async () => {
  writeRepositoryModel(repository, 'identity', '1', identityModel());
  writeRepositoryModel(repository, 'affine', '1', affineModel(2, 1));
  writeRepositoryModel(repository, 'affine', '2', affineModel(10, -1));
  writeRepositoryModel(repository, 'broken', '1', new TextEncoder().encode('this is not an ONNX file'));
  // A copy of a built-in model under another name is served like any user model.
  writeRepositoryModel(repository, 'my-classifier', '3', readFileSync(builtInModelFile('ref-classify')));
  // Folders without <version>/model.onnx are not models.
  mkdirSync(join(repository, 'notes'), { recursive: true });
  writeFileSync(join(repository, 'notes', 'README.md'), 'not a model');
  server = await startReferenceServer({ port: 0, modelsDir: repository, logger });
});
afterAll(async () => {
  await server.close();
  rmSync(repository, { recursive: true, force: true });
});

const infer = (path: string, body: unknown) => requestJson(`${server.url}/v2/models/${path}/infer`, { body });

describe('a Triton-layout model repository', () => {
  it('serves its models beside the built-in ones and skips a broken one with a warning', async () => {
    expect(server.models).toEqual([
      'ref-chat',
      'ref-embed',
      'ref-classify',
      'affine',
      'identity',
      'my-classifier',
    ]);
    const list = (await requestJson(`${server.url}/v1/models`)).body.data;
    expect(list.find((model: { id: string }) => model.id === 'affine').owned_by).toBe('repository');
    expect(warnings.some((line) => line.includes('broken'))).toBe(true);
    expect((await requestJson(`${server.url}/v2/models/broken`)).status).toBe(404);
  });

  it('answers with the highest version by default and any version by path', async () => {
    const metadata = (await requestJson(`${server.url}/v2/models/affine`)).body;
    expect(metadata).toMatchObject({
      name: 'affine',
      versions: ['1', '2'],
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
    });
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] };
    const latest = await infer('affine', body);
    expect(latest.body).toMatchObject({
      model_version: '2',
      outputs: [{ name: 'y', shape: [1, 3], data: [9, 19, 29] }],
    });
    const first = await infer('affine/versions/1', body);
    expect(first.body).toMatchObject({ model_version: '1', outputs: [{ data: [3, 5, 7] }] });
    expect((await infer('affine/versions/3', body)).status).toBe(404);
  });

  it('round-trips every datatype onnxruntime-node supports through JSON tensors', async () => {
    const samples: Record<keyof typeof identityTypes, unknown[]> = {
      BOOL: [true, false, false, true],
      UINT8: [0, 255, 7, 8],
      UINT16: [0, 65535, 7, 8],
      UINT32: [0, 4294967295, 7, 8],
      UINT64: [0, 9007199254740991, 7, 8],
      INT8: [-128, 127, -1, 0],
      INT16: [-32768, 32767, -1, 0],
      INT32: [-2147483648, 2147483647, -1, 0],
      INT64: [-9007199254740991, 9007199254740991, -1, 0],
      // 0.0999755859375 is the half-precision value nearest 0.1, so it survives exactly.
      FP16: [1, -2.5, 0.0999755859375, 65504],
      FP32: [1.5, -2.25, 3.4e38, 0],
      FP64: [Math.PI, -1e300, 5e-324, 0],
      BYTES: ['hello', 'wörld', '', '🙂'],
    };
    const names = Object.keys(samples) as (keyof typeof samples)[];
    const answer = await infer('identity', {
      inputs: names.map((name) => ({
        name: `x_${name}`,
        datatype: name,
        shape: [2, 2],
        data: samples[name],
      })),
    });
    expect(answer.status).toBe(200);
    for (const name of names) {
      const output = answer.body.outputs.find(
        (candidate: { name: string }) => candidate.name === `y_${name}`,
      );
      expect(output, name).toMatchObject({ datatype: name, shape: [2, 2] });
      const expected = name === 'FP32' ? (samples.FP32 as number[]).map(Math.fround) : samples[name];
      expect(output.data, name).toEqual(expected);
    }
  });

  it('fetches only the outputs asked for, in the order asked', async () => {
    const inputs = Object.keys(identityTypes).map((name) => ({
      name: `x_${name}`,
      datatype: name,
      shape: [1, 2],
      data: name === 'BYTES' ? ['a', 'b'] : name === 'BOOL' ? [true, false] : [1, 0],
    }));
    const answer = await infer('identity', { inputs, outputs: [{ name: 'y_INT8' }, { name: 'y_BYTES' }] });
    expect(answer.status).toBe(200);
    expect(answer.body.outputs).toEqual([
      { name: 'y_INT8', datatype: 'INT8', shape: [1, 2], data: [1, 0] },
      { name: 'y_BYTES', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] },
    ]);
  });

  it('serves a copied built-in model under its own name and version', async () => {
    const metadata = (await requestJson(`${server.url}/v2/models/my-classifier`)).body;
    expect(metadata.versions).toEqual(['3']);
    const answer = await infer('my-classifier', {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.1) }],
    });
    expect(answer.status).toBe(200);
    const builtIn = await infer('ref-classify', {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.1) }],
    });
    expect(answer.body.outputs[0].data).toEqual(builtIn.body.outputs[0].data);
  });

  it('cannot be escaped through model or version names', async () => {
    for (const path of [
      '..%2F..%2Fetc',
      '%2E%2E',
      '..',
      'affine%2F1',
      'affine/versions/..%2F2',
      'affine/versions/..',
    ]) {
      const answer = await rawGet(server.url, `/v2/models/${path}`);
      expect(answer.status, path).toBe(400);
    }
    for (const path of ['etc', 'affine/versions/latest', 'affine/versions/01']) {
      expect((await rawGet(server.url, `/v2/models/${path}`)).status, path).toBe(404);
    }
  });
});

describe('repository start-up errors', () => {
  it('refuses a repository model that takes a built-in name', async () => {
    const clash = mkdtempSync(join(tmpdir(), 'aiaas-clash-'));
    try {
      writeRepositoryModel(clash, 'ref-chat', '1', affineModel(1, 0));
      await expect(startReferenceServer({ port: 0, modelsDir: clash, logger })).rejects.toThrow(
        /built-in model/,
      );
    } finally {
      rmSync(clash, { recursive: true, force: true });
    }
  });

  it('refuses a models directory that does not exist', async () => {
    await expect(
      startReferenceServer({ port: 0, modelsDir: join(repository, 'missing'), logger }),
    ).rejects.toThrow(/does not exist/);
  });
});
