import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { hashedBagOfWords } from '../../src/server/models/sentiment-features.js';
import {
  inferResponseSchema,
  modelMetadataSchema,
  serverMetadataSchema,
} from '../../src/wire/oip/oip-schemas.js';
import { requestJson } from './server-test-client.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, logger: silentServerLogger });
});
afterAll(() => server.close());

const infer = (model: string, body: unknown, version?: string) =>
  requestJson(`${server.url}/v2/models/${model}${version ? `/versions/${version}` : ''}/infer`, { body });

const classifyInput = (texts: string[]) => ({
  name: 'input',
  datatype: 'FP32',
  shape: [texts.length, 100],
  data: texts.flatMap((text) => Array.from(hashedBagOfWords(text, 100))),
});

describe('OIP server endpoints', () => {
  it('describes the server and reports health', async () => {
    const metadata = serverMetadataSchema.parse((await requestJson(`${server.url}/v2`)).body);
    expect(metadata.name).toBe('aiaas-reference-server');
    expect((await requestJson(`${server.url}/v2/health/live`)).status).toBe(200);
    const ready = await requestJson(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true });
  });

  it('describes models from their ONNX sessions, -1 for dynamic dimensions', async () => {
    const classify = modelMetadataSchema.parse(
      (await requestJson(`${server.url}/v2/models/ref-classify`)).body,
    );
    expect(classify).toMatchObject({
      name: 'ref-classify',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 100] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
    });
    const embed = modelMetadataSchema.parse(
      (await requestJson(`${server.url}/v2/models/ref-embed/versions/1`)).body,
    );
    expect(embed.inputs.map((input) => [input.name, input.datatype, input.shape])).toEqual([
      ['input_ids', 'INT64', [-1, -1]],
      ['attention_mask', 'INT64', [-1, -1]],
    ]);
    expect(embed.outputs[0]!.datatype).toBe('FP32');
    expect((await requestJson(`${server.url}/v2/models/ref-embed/ready`)).status).toBe(200);
    expect((await requestJson(`${server.url}/v2/models/ref-embed/versions/1/ready`)).body.ready).toBe(true);
    expect((await requestJson(`${server.url}/v2/models/nope/ready`)).status).toBe(404);
  });
});

describe('POST /v2/models/{m}/infer', () => {
  it('classifies rows of hashed bag-of-words features', async () => {
    const answer = await infer('ref-classify', {
      id: 'call-1',
      inputs: [classifyInput(['A wonderful, delightful film.', 'Terrible. I hated every minute.'])],
    });
    expect(answer.status).toBe(200);
    const response = inferResponseSchema.parse(answer.body);
    expect(response).toMatchObject({ model_name: 'ref-classify', model_version: '1', id: 'call-1' });
    const [output] = response.outputs;
    expect(output).toMatchObject({ name: 'probability', datatype: 'FP32', shape: [2, 1] });
    const probabilities = output!.data as number[];
    for (const probability of probabilities) expect(probability).toBeGreaterThanOrEqual(0);
    for (const probability of probabilities) expect(probability).toBeLessThanOrEqual(1);
    // Nested data (one array per row) is the same tensor as flat data.
    const flat = classifyInput(['A wonderful, delightful film.']);
    const nested = { ...flat, data: [flat.data] };
    const nestedAnswer = await infer('ref-classify', { inputs: [nested] });
    expect(nestedAnswer.body.outputs[0].data[0]).toBe(probabilities[0]);
  });

  it('runs ref-embed on int64 ids and mask, agreeing with /v1/embeddings', async () => {
    const text = 'jobs and wages';
    const openAI = (
      await requestJson(`${server.url}/v1/embeddings`, { body: { model: 'ref-embed', input: text } })
    ).body;
    const tokens = (
      await requestJson(`${server.url}/tokenize`, { body: { model: 'ref-embed', prompt: text } })
    ).body.tokens as number[];
    const answer = await infer('ref-embed', {
      inputs: [
        { name: 'input_ids', datatype: 'INT64', shape: [1, tokens.length], data: tokens },
        { name: 'attention_mask', datatype: 'INT64', shape: [1, tokens.length], data: tokens.map(() => 1) },
      ],
      outputs: [{ name: 'embeddings' }],
    });
    expect(answer.status).toBe(200);
    const output = answer.body.outputs[0];
    expect(output.shape[0]).toBe(1);
    expect(output.data).toEqual(openAI.data[0].embedding);
  });

  it.each([
    ['BF16', { inputs: [{ ...classifyInput(['x']), datatype: 'BF16' }] }, 'BF16', 400],
    [
      'an unknown input',
      { inputs: [{ ...classifyInput(['x']), name: 'features' }] },
      "no input 'features'",
      400,
    ],
    ['a wrong datatype', { inputs: [{ ...classifyInput(['x']), datatype: 'FP64' }] }, 'expects FP32', 400],
    ['a wrong shape', { inputs: [{ ...classifyInput(['x']), shape: [2, 50] }] }, 'expects [?, 100]', 400],
    ['a wrong element count', { inputs: [{ ...classifyInput(['x']), shape: [2, 100] }] }, 'holds 200', 400],
    [
      'an unknown output',
      { inputs: [classifyInput(['x'])], outputs: [{ name: 'logits' }] },
      "no output 'logits'",
      400,
    ],
    [
      'a schema violation',
      { inputs: [{ name: 'input', shape: [1], datatype: 'FP33', data: [1] }] },
      'inputs.0.datatype',
      400,
    ],
  ])('refuses %s with a clear OIP error', async (_case, body, message, status) => {
    const answer = await infer('ref-classify', body);
    expect(answer.status).toBe(status);
    expect(Object.keys(answer.body)).toEqual(['error']);
    expect(answer.body.error).toContain(message);
  });

  it('needs every model input', async () => {
    const answer = await infer('ref-embed', {
      inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [1, 1], data: [5] }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("needs the input 'attention_mask'");
  });

  it('answers 404 for unknown models and versions', async () => {
    expect((await infer('no-such-model', { inputs: [classifyInput(['x'])] })).status).toBe(404);
    const version = await infer('ref-classify', { inputs: [classifyInput(['x'])] }, '7');
    expect(version.status).toBe(404);
    expect(version.body.error).toContain("no version '7'");
  });
});
