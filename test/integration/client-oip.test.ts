import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/builders/tensor-builder.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { APIError, ValidationError } from '../../src/errors/index.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;
let client: AiaasClient;

/** Deterministic features: a seeded linear congruential generator. */
function features(rows: number, seed: number): Float32Array {
  const values = new Float32Array(rows * 100);
  let state = seed;
  for (let index = 0; index < values.length; index++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    values[index] = state / 2 ** 31;
  }
  return values;
}

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: ['sk-test'] });
  client = new AiaasClient({
    provider: 'oip',
    baseURL: server.url,
    apiKey: 'sk-test',
    maxRetries: 0,
    logLevel: 'off',
  });
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

describe('oip provider against aiaas/server', () => {
  it('reads server metadata', async () => {
    const { data, response } = await client.inference.serverMetadata().withResponse();
    expect(data.name).toEqual(expect.any(String));
    expect(data.version).toEqual(expect.any(String));
    expect(Array.isArray(data.extensions)).toBe(true);
    expect(response.requestId).toEqual(expect.any(String));
  });

  it('reads ref-classify metadata: an FP32 input of [-1, 100]', async () => {
    const metadata = await client.inference.modelMetadata('ref-classify');
    expect(metadata.name).toBe('ref-classify');
    expect(metadata.inputs).toEqual([
      expect.objectContaining({ name: 'input', datatype: 'FP32', shape: [-1, 100] }),
    ]);
    expect(metadata.outputs.length).toBeGreaterThan(0);
    const versioned = await client.inference.modelMetadata('ref-classify', { version: '1' });
    expect(versioned.inputs).toEqual(metadata.inputs);
  });

  it('says ref-classify is ready and an unknown model is not', async () => {
    expect(await client.inference.ready('ref-classify')).toBe(true);
    expect(await client.inference.ready('no-such-model')).toBe(false);
  });

  it('infers with a tensor built from a Float32Array and decodes typed outputs', async () => {
    const metadata = await client.inference.modelMetadata('ref-classify');
    const result = await client.inference.infer('ref-classify', [tensor('input', features(3, 1), [3, 100])]);
    expect(result.model_name).toBe('ref-classify');
    expect(result.outputs.map((output) => output.name).sort()).toEqual(
      metadata.outputs.map((output) => output.name).sort(),
    );
    for (const output of result.outputs) {
      expect(output.shape[0]).toBe(3);
      const count = output.shape.reduce((product, size) => product * size, 1);
      expect(output.data.length).toBe(count);
      const declared = metadata.outputs.find((candidate) => candidate.name === output.name);
      expect(output.datatype).toBe(declared?.datatype);
      if (output.datatype === 'FP32') {
        expect(output.data).toBeInstanceOf(Float32Array);
        for (const value of output.data) expect(value).toBeGreaterThanOrEqual(0);
      }
      if (output.datatype === 'INT64') expect(output.data).toBeInstanceOf(BigInt64Array);
    }
    const again = await client.inference.infer('ref-classify', [tensor('input', features(3, 1), [3, 100])]);
    expect(again.outputs).toEqual(result.outputs);
  });

  it('returns only the requested outputs', async () => {
    const metadata = await client.inference.modelMetadata('ref-classify');
    const wanted = metadata.outputs[0]?.name ?? '';
    const result = await client.inference.infer('ref-classify', [tensor('input', features(1, 2), [1, 100])], {
      outputs: [wanted],
      id: 'call-1',
    });
    expect(result.outputs.map((output) => output.name)).toEqual([wanted]);
  });

  it('reports a wrong input shape as a 4xx APIError with the server message', async () => {
    const error = await client.inference
      .infer('ref-classify', [tensor('input', new Float32Array(50), [1, 50])])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBeGreaterThanOrEqual(400);
    expect((error as APIError).status).toBeLessThan(500);
    expect((error as APIError).requestId).toEqual(expect.any(String));
  });

  it('rejects a tensor whose shape does not match its data before sending', async () => {
    expect(() => tensor('input', new Float32Array(150), [2, 100])).toThrow(ValidationError);
    await expect(client.inference.infer('ref-classify', [])).rejects.toThrow(/inputs/);
  });
});
