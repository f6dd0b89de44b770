import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import {
  affineConfig,
  inferAffine,
  loadModel,
  loadParameters,
  repositoryIndex,
} from './deployment-test-client.js';
import { requestJson } from './server-test-client.js';
import { affineModel, unknownOperatorModel } from './server-test-models.js';

const keyA = 'sk-uploads-a';
const keyB = 'sk-uploads-b';
const affineBytes = affineModel(2, 1).length;
const warnings: string[] = [];
const logger: ServerLogger = {
  info() {},
  error() {},
  warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
};
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [keyA, keyB],
    workers: 2,
    logger,
    bodyLimitBytes: 1024 * 1024,
    maxDeployedModelsPerTenant: 2,
    // Room for two one-version affine models, not for three versions.
    maxDeployedBytesPerTenant: affineBytes * 2 + 8,
  });
  expect(
    (await loadModel(server.url, keyA, 'good', { config: affineConfig, files: { 1: affineModel(2, 1) } }))
      .status,
  ).toBe(200);
});
afterAll(async () => {
  await server.close();
});

async function expectLoadError(body: Parameters<typeof loadModel>[3], pattern: RegExp, name = 'upload') {
  const answer = await loadModel(server.url, keyA, name, body);
  expect(answer.status).toBe(400);
  expect(Object.keys(answer.body)).toEqual(['error']);
  expect(answer.body.error).toMatch(pattern);
}

function rawLoad(headers: Record<string, string>) {
  const url = new URL(`${server.url}/v2/repository/models/huge/load`);
  const request = httpRequest({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keyA}`, ...headers },
  });
  request.on('error', () => {});
  return request;
}

async function bodyOf(response: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return JSON.parse(text);
}

describe('bad uploads get a 400 that says what was wrong', () => {
  it('refuses a file that is not ONNX, a truncated one and a graph onnxruntime rejects', async () => {
    await expectLoadError(
      { files: { 1: new TextEncoder().encode('this is not an ONNX model') } },
      /file:1\/model\.onnx is not an ONNX model/,
    );
    const whole = affineModel(3, 3);
    await expectLoadError(
      { files: { 1: whole.slice(0, Math.floor(whole.length / 2)) } },
      /file:1\/model\.onnx is truncated or corrupt/,
    );
    await expectLoadError(
      { files: { 1: unknownOperatorModel() } },
      /onnxruntime cannot load version 1: .*NoSuchOperator/,
    );
    // The failed model is listed UNAVAILABLE with the reason, as Triton does.
    const index = (await repositoryIndex(server.url, keyA)).body;
    expect(index).toContainEqual(
      expect.objectContaining({
        name: 'upload',
        state: 'UNAVAILABLE',
        reason: expect.stringMatching(/NoSuchOperator/),
      }),
    );
  });

  it('refuses a config that contradicts the graph or is not a config', async () => {
    const files = { 1: affineModel(2, 1) };
    const input = affineConfig.input[0]!;
    await expectLoadError(
      { files, config: { ...affineConfig, input: [{ ...input, data_type: 'TYPE_INT64' }] } },
      /input 'x' is TYPE_INT64; the graph says float32/,
    );
    await expectLoadError(
      { files, config: { ...affineConfig, input: [{ ...input, dims: [4] }] } },
      /input 'x' the shape \[-1, 4\]; the graph says \[-1, 3\]/,
    );
    await expectLoadError(
      { files, config: { ...affineConfig, output: [{ name: 'z', data_type: 'TYPE_FP32', dims: [3] }] } },
      /output 'z'; the graph's outputs are 'y'/,
    );
    await expectLoadError({ files, config: { input: [] } }, /leaves out the graph's input 'x'/);
    await expectLoadError({ files, config: { name: 'other' } }, /names the model 'other'/);
    await expectLoadError(
      { files, config: { platform: 'tensorflow_savedmodel' } },
      /platform 'tensorflow_savedmodel' is not served/,
    );
    const notJson = await requestJson(`${server.url}/v2/repository/models/upload/load`, {
      body: { parameters: { ...loadParameters({ files }), config: '{not json' } },
      headers: { authorization: `Bearer ${keyA}` },
    });
    expect(notJson.body.error).toMatch(/the config is not JSON/);
  });

  it('refuses parameters that are not files in base64, and a load with nothing to load', async () => {
    const bad = (parameters: Record<string, unknown>) =>
      requestJson(`${server.url}/v2/repository/models/upload/load`, {
        body: { parameters },
        headers: { authorization: `Bearer ${keyA}` },
      });
    // Whole groups of four, but a space, an inner '=', the URL-safe alphabet or a stray character.
    for (const text of ['not base64!', 'aGVs bG8', 'aG=sbG8=', 'aGVsbG8-', 'aGVs_G8=', 'aGVsbG8*']) {
      expect(await bad({ 'file:1/model.onnx': text })).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/must be the file's bytes in base64/) },
      });
    }
    const badVersion = await bad({ 'file:latest/model.onnx': 'AAAA' });
    expect(badVersion.body.error).toMatch(
      /name it file:<version>\/model\.onnx with a positive integer version/,
    );
    expect((await bad({ config: 42 })).body.error).toMatch(/config must be a JSON string/);
    expect((await loadModel(server.url, keyA, 'never-deployed')).body.error).toMatch(
      /no model file was given/,
    );
    expect((await loadModel(server.url, keyA, '../etc', { files: { 1: affineModel(1, 1) } })).status).toBe(
      404,
    );
    expect(
      (await loadModel(server.url, keyA, '.hidden', { files: { 1: affineModel(1, 1) } })).body.error,
    ).toMatch(/a model name is/);
  });

  it('refuses a declared 2 GB upload before reading it, and a streamed one as it crosses the body limit', async () => {
    const declared = rawLoad({ 'content-length': String(2 * 1024 ** 3) });
    declared.write('{"parameters":{"file:1/model.onnx":"');
    const [refused] = (await once(declared, 'response')) as [IncomingMessage];
    expect(refused.statusCode).toBe(413);
    expect(await bodyOf(refused)).toEqual({
      error: 'The request body is larger than the limit of 1048576 bytes.',
    });
    declared.destroy();

    // Chunked, no length: streamed 64 KiB at a time until the server answers (never 2 GB in memory).
    const streamed = rawLoad({});
    const responded = once(streamed, 'response') as Promise<[IncomingMessage]>;
    let answered = false;
    void responded.then(() => {
      answered = true;
    });
    streamed.write('{"parameters":{"file:1/model.onnx":"');
    const chunk = 'A'.repeat(64 * 1024);
    let sent = 0;
    while (!answered && sent < 2 * 1024 ** 3) {
      if (!streamed.write(chunk)) await Promise.race([once(streamed, 'drain'), responded]);
      sent += chunk.length;
    }
    const [response] = await responded;
    expect(response.statusCode).toBe(413);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(await bodyOf(response)).toEqual({
      error: 'The request body is larger than the limit of 1048576 bytes.',
    });
    streamed.destroy();
  });

  it("enforces each tenant's limits on models and bytes with a clear 400", async () => {
    await expectLoadError(
      { files: { 1: affineModel(1, 1), 2: affineModel(1, 2) } },
      new RegExp(`would take ${affineBytes * 3} bytes, over its limit of ${affineBytes * 2 + 8}`),
      'second',
    );
    expect((await loadModel(server.url, keyA, 'second', { files: { 1: affineModel(1, 2) } })).status).toBe(
      200,
    );
    await expectLoadError(
      { files: { 1: affineModel(1, 3) } },
      /this API key has 2 models deployed, its limit; unload one first/,
      'third',
    );
    // Another tenant has its own allowance.
    expect((await loadModel(server.url, keyB, 'third', { files: { 1: affineModel(1, 3) } })).status).toBe(
      200,
    );
  });

  it('never answers 5xx to anything sent to the repository endpoints', async () => {
    const paths = [
      '/v2/repository/index',
      '/v2/repository/models/fuzz/load',
      '/v2/repository/models/fuzz/unload',
    ];
    const parameter = fc.oneof(
      fc.jsonValue(),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc
        .dictionary(fc.constantFrom('config', 'file:1/model.onnx', 'file:0/model.onnx', 'x'), parameter)
        .map((parameters) => ({ parameters })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), body, async (path, value) => {
        const answer = await requestJson(`${server.url}${path}`, {
          method: 'POST',
          rawBody: JSON.stringify(value) ?? 'null',
          headers: { authorization: `Bearer ${keyB}` },
        });
        return answer.status < 500 && typeof answer.body === 'object';
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });

  it('keeps every worker alive and every other model serving', async () => {
    expect((await inferAffine(server.url, keyA, 'good')).body.outputs[0].data).toEqual([3, 5, 7]);
    const classify = await requestJson(`${server.url}/v2/models/ref-classify/infer`, {
      body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0) }] },
      headers: { authorization: `Bearer ${keyB}` },
    });
    expect(classify.status).toBe(200);
    expect(warnings.filter((line) => line.includes('replaced an inference worker'))).toEqual([]);
  });
});
