import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/builders/tensor-builder.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { BadRequestError } from '../../src/errors/index.js';
import { type DialectTestServer, startDialectTestServer } from '../support/dialect-test-server.js';
import { fixtureJson, sendFixture } from '../support/fixture-files.js';

// The oip provider against payloads shaped like Triton's (test/fixtures/triton/): mixed output
// datatypes (FP32, BYTES, INT64), dynamic dimensions (-1) in metadata, string errors.

let server: DialectTestServer;
let oip: AiaasClient;

beforeAll(async () => {
  server = await startDialectTestServer();
  server.route('GET', '/v2', (_request, response) => sendFixture(response, 'triton/server-metadata.json'));
  server.route('GET', '/v2/models/text_classifier', (_request, response) =>
    sendFixture(response, 'triton/model-metadata.json'),
  );
  server.route('POST', '/v2/models/text_classifier/versions/2/infer', (_request, response) =>
    sendFixture(response, 'triton/infer-response.json'),
  );
  server.route('POST', '/v2/models/sentiment/infer', (_request, response) =>
    sendFixture(response, 'triton/error-unknown-model.json', { status: 400 }),
  );
  server.route('POST', '/v2/repository/index', (_request, response) =>
    sendFixture(response, 'triton/repository-index.json'),
  );
  // Triton answers a load and an unload with an empty 200.
  server.route('POST', '/v2/repository/models/densenet_onnx/load', (_request, response) =>
    response.writeHead(200, { 'content-length': '0' }).end(),
  );
  server.route('POST', '/v2/repository/models/densenet_onnx/unload', (_request, response) =>
    response.writeHead(200, { 'content-length': '0' }).end(),
  );
  server.route('POST', '/v2/repository/models/broken/load', (_request, response) =>
    sendFixture(response, 'triton/error-load-failed.json', { status: 400 }),
  );
  oip = new AiaasClient({ provider: 'oip', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(async () => {
  await oip.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

describe('Triton payloads', () => {
  it('reads server metadata with its extensions', async () => {
    const metadata = await oip.inference.serverMetadata();
    expect(metadata.name).toBe('triton');
    expect(metadata.extensions).toContain('binary_tensor_data');
  });

  it('reads model metadata with dynamic dimensions', async () => {
    const metadata = await oip.inference.modelMetadata('text_classifier');
    expect(metadata.versions).toEqual(['1', '2']);
    expect(metadata.platform).toBe('onnxruntime_onnx');
    expect(metadata.inputs).toEqual([
      { name: 'TEXT', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'FEATURES', datatype: 'FP32', shape: [-1, 4] },
    ]);
    expect(metadata.outputs.map((output) => output.datatype)).toEqual(['FP32', 'BYTES', 'INT64']);
  });

  it('sends typed tensors and decodes FP32, BYTES and INT64 outputs', async () => {
    const result = await oip.inference.infer(
      'text_classifier',
      [
        tensor('TEXT', ['jobs are up', 'costs are up'], [2, 1]),
        tensor('FEATURES', new Float32Array([1, 0, 0.5, 0.25, 0, 1, 0.5, 0.75]), [2, 4]),
      ],
      { version: '2', id: 'fixture-infer-1' },
    );
    const sent = JSON.parse(server.requests[0]!.body) as { id: string; inputs: unknown[] };
    expect(sent.id).toBe('fixture-infer-1');
    expect(sent.inputs).toEqual([
      { name: 'TEXT', datatype: 'BYTES', shape: [2, 1], data: ['jobs are up', 'costs are up'] },
      { name: 'FEATURES', datatype: 'FP32', shape: [2, 4], data: [1, 0, 0.5, 0.25, 0, 1, 0.5, 0.75] },
    ]);
    expect(result).toMatchObject({
      model_name: 'text_classifier',
      model_version: '2',
      id: 'fixture-infer-1',
    });
    const [probabilities, label, labelId] = result.outputs;
    expect(probabilities?.datatype).toBe('FP32');
    expect(probabilities?.data).toEqual(new Float32Array([0.75, 0.125, 0.125, 0.0625, 0.1875, 0.75]));
    expect(probabilities?.shape).toEqual([2, 3]);
    expect(label).toMatchObject({ datatype: 'BYTES', data: ['positive', 'negative'] });
    expect(labelId?.datatype).toBe('INT64');
    expect(labelId?.data).toEqual(new BigInt64Array([0n, 2n]));
    const recorded = fixtureJson<{ outputs: { name: string }[] }>('triton/infer-response.json');
    expect(result.outputs.map((output) => output.name)).toEqual(
      recorded.outputs.map((output) => output.name),
    );
  });

  it("maps Triton's string error for an unknown model to BadRequestError with its text", async () => {
    const error = await oip.inference
      .infer('sentiment', [tensor('FEATURES', new Float32Array(4), [1, 4])])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain("Request for unknown model: 'sentiment' is not found");
  });

  it("reads Triton's repository index and lists its models once each", async () => {
    const index = await oip.inference.repository.index({ ready: true });
    expect(index).toEqual(fixtureJson('triton/repository-index.json'));
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ ready: true });
    expect((await oip.models.list()).data.map((model) => model.id)).toEqual([
      'densenet_onnx',
      'simple',
      'text_classifier',
    ]);
  });

  it('loads with a config and a base64 file override, and unloads, on empty 200 answers', async () => {
    const bytes = new Uint8Array([8, 7, 0, 255]);
    await oip.inference.repository.load('densenet_onnx', {
      config: { max_batch_size: 4 },
      files: { 3: bytes },
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      parameters: { config: '{"max_batch_size":4}', 'file:3/model.onnx': 'CAcA/w==' },
    });
    await oip.inference.repository.unload('densenet_onnx');
    expect(server.requests[1]!.path).toBe('/v2/repository/models/densenet_onnx/unload');
    const error = await oip.inference.repository.load('broken').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain(
      "failed to load 'broken', failed to poll from model repository",
    );
  });
});
