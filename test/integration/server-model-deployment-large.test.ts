import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { loadModel, unloadModel } from './deployment-test-client.js';
import { requestJson } from './server-test-client.js';

// Bodies of megabytes are decoded in a worker thread (routes/oip/load-body-worker.ts), small ones in place.
const key = 'sk-large-models';
const embedBytes = readFileSync(new URL('../../models/ref-embed/1/model.onnx', import.meta.url));
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [key] });
});
afterAll(async () => {
  await server.close();
});

function embed(model: string) {
  return requestJson(`${server.url}/v2/models/${model}/infer`, {
    body: {
      inputs: [
        { name: 'input_ids', datatype: 'INT64', shape: [1, 4], data: [5, 17, 42, 9] },
        { name: 'attention_mask', datatype: 'INT64', shape: [1, 4], data: [1, 1, 1, 1] },
      ],
    },
    headers: { authorization: `Bearer ${key}` },
  });
}

function rawLoad(name: string, body: string) {
  return requestJson(`${server.url}/v2/repository/models/${name}/load`, {
    rawBody: body,
    headers: { authorization: `Bearer ${key}` },
  });
}

describe('a model of megabytes deploys through the body decoding thread', () => {
  it('serves a 3 MiB model loaded twice at once exactly as the built-in copy answers', async () => {
    expect(embedBytes.length).toBeGreaterThan(1024 * 1024);
    const loads = await Promise.all(
      ['embed-copy-a', 'embed-copy-b'].map((name) =>
        loadModel(server.url, key, name, { files: { 1: embedBytes } }),
      ),
    );
    expect(loads.map((answer) => answer.status)).toEqual([200, 200]);
    const builtIn = await embed('ref-embed');
    expect(builtIn.status).toBe(200);
    for (const name of ['embed-copy-a', 'embed-copy-b']) {
      const answer = await embed(name);
      expect(answer.status).toBe(200);
      expect(answer.body.outputs).toEqual(builtIn.body.outputs);
      expect((await unloadModel(server.url, key, name)).status).toBe(200);
    }
  });

  it('answers a large body that is not JSON, or holds bad base64, with a 400 naming the fault', async () => {
    const base64 = embedBytes.toString('base64');
    const broken = await rawLoad('broken', `{"parameters": {"file:1/model.onnx": "${base64}"`);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/not valid JSON/);
    const stray = `${base64.slice(0, 4000)}*${base64.slice(4001)}`;
    const badFile = await rawLoad('bad-file', JSON.stringify({ parameters: { 'file:1/model.onnx': stray } }));
    expect(badFile.status).toBe(400);
    expect(badFile.body.error).toMatch(/'file:1\/model\.onnx' must be the file's bytes in base64/);
    const badVersion = await rawLoad(
      'bad-version',
      JSON.stringify({ parameters: { 'file:latest/model.onnx': base64 } }),
    );
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error).toMatch(/positive integer version/);
    // The server still loads and serves after refusing them.
    expect((await loadModel(server.url, key, 'after', { files: { 1: embedBytes } })).status).toBe(200);
    expect((await embed('after')).status).toBe(200);
  });
});
