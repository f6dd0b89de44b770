import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { loadModel, repositoryIndex } from './deployment-test-client.js';
import { requestJson } from './server-test-client.js';

const key = 'sk-states';
const modelBytes = (name: string) =>
  readFileSync(new URL(`../../models/${name}/1/model.onnx`, import.meta.url));
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [key], workers: 1 });
  expect(
    (await loadModel(server.url, key, 'embed-copy', { files: { 1: modelBytes('ref-embed') } })).status,
  ).toBe(200);
});
afterAll(async () => {
  await server.close();
});

/** A large embedding run on the deployed copy: it holds the deployed models' thread a while. */
function longRun() {
  const rows = 64;
  const length = 256;
  return requestJson(`${server.url}/v2/models/embed-copy/infer`, {
    body: {
      inputs: [
        {
          name: 'input_ids',
          datatype: 'INT64',
          shape: [rows, length],
          data: Array.from({ length: rows * length }, (_, index) => 5 + (index % 900)),
        },
        {
          name: 'attention_mask',
          datatype: 'INT64',
          shape: [rows, length],
          data: new Array(rows * length).fill(1),
        },
      ],
    },
    headers: { authorization: `Bearer ${key}` },
  });
}

describe("a model's states in the repository index", () => {
  it('is LOADING while its session waits to open, then READY', async () => {
    // The deployed models' thread runs its commands in order: the load waits behind the long
    // runs. Several, so that on a busy machine the load arrives before the thread is free again.
    let runAnswered = false;
    const run = Promise.all(Array.from({ length: 4 }, longRun)).then((answers) => {
      runAnswered = true;
      return answers;
    });
    const load = loadModel(server.url, key, 'classify-copy', { files: { 1: modelBytes('ref-classify') } });
    let seen: string | undefined;
    const deadline = Date.now() + 30_000;
    while (seen !== 'LOADING' && !runAnswered && Date.now() < deadline) {
      const index = await repositoryIndex(server.url, key);
      seen = (index.body as { name: string; state: string }[]).find(
        (row) => row.name === 'classify-copy',
      )?.state;
    }
    expect(seen).toBe('LOADING');
    expect((await run).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect((await load).status).toBe(200);
    const after = (await repositoryIndex(server.url, key)).body as { name: string; state: string }[];
    expect(after.find((row) => row.name === 'classify-copy')).toMatchObject({ version: '1', state: 'READY' });
  });
});
