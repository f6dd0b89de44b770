import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { type RepositoryIndexEntry, repositoryIndexSchema } from '../../src/wire/oip/repository-schemas.js';
import { affineModel } from '../integration/server-test-models.js';

// aiaas/server's model repository extension in Triton's shapes, over raw HTTP as any Triton
// client (tritonclient.http, curl) sends it: bodies may be empty, answers are bare arrays, an
// empty-ish 200, or `{"error": "<text>"}`.

let server: ReferenceServer;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-triton' };

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: ['sk-triton'] });
});
afterAll(async () => {
  await server.close();
});

async function post(path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    json: JSON.parse(text) as unknown,
  };
}

const entryKeys = new Set(['name', 'version', 'state', 'reason']);
const states = new Set(['READY', 'LOADING', 'UNAVAILABLE', 'UNLOADING']);

function expectIndexShape(json: unknown): RepositoryIndexEntry[] {
  expect(Array.isArray(json)).toBe(true);
  const entries = repositoryIndexSchema.parse(json);
  for (const entry of entries) {
    expect(Object.keys(entry).every((key) => entryKeys.has(key))).toBe(true);
    expect(states.has(entry.state!)).toBe(true);
  }
  return entries;
}

describe("Triton's model repository extension on aiaas/server", () => {
  it('announces model_repository in the server metadata', async () => {
    const metadata = (await (await fetch(`${server.url}/v2`, { headers })).json()) as {
      extensions: string[];
    };
    expect(metadata.extensions).toContain('model_repository');
  });

  it('answers the index with a bare array, for an empty body, {} and {"ready": true}', async () => {
    for (const body of [undefined, {}, { ready: true }, { repository_name: '', ready: false }]) {
      const answer = await post('/v2/repository/index', body);
      expect(answer.status).toBe(200);
      expect(answer.type).toMatch(/^application\/json/);
      expect(expectIndexShape(answer.json)).toContainEqual({
        name: 'ref-classify',
        version: '1',
        state: 'READY',
      });
    }
  });

  it('loads with a config string and a base64 file, unloads, and reports each state', async () => {
    const parameters = {
      config: JSON.stringify({ name: 'triton-affine', backend: 'onnxruntime', max_batch_size: 0 }),
      'file:1/model.onnx': Buffer.from(affineModel(2, 0)).toString('base64'),
    };
    expect((await post('/v2/repository/models/triton-affine/load', { parameters })).status).toBe(200);
    const ready = expectIndexShape((await post('/v2/repository/index', { ready: true })).json);
    expect(ready).toContainEqual({ name: 'triton-affine', version: '1', state: 'READY' });
    // A load without parameters reloads what the server has, as Triton reloads from its repository.
    expect((await post('/v2/repository/models/triton-affine/load')).status).toBe(200);
    expect(
      (await post('/v2/repository/models/triton-affine/unload', { parameters: { unload_dependents: false } }))
        .status,
    ).toBe(200);
    const all = expectIndexShape((await post('/v2/repository/index')).json);
    expect(all).toContainEqual({
      name: 'triton-affine',
      version: '1',
      state: 'UNAVAILABLE',
      reason: 'unloaded',
    });
    const readyAfter = expectIndexShape((await post('/v2/repository/index', { ready: true })).json);
    expect(readyAfter.map((entry) => entry.name)).not.toContain('triton-affine');
  });

  it('answers every failure in Triton\'s error dialect: {"error": "<text>"} alone', async () => {
    const failures = [
      await post('/v2/repository/models/bad/load', { parameters: { 'file:1/model.onnx': 'AAAA' } }),
      await post('/v2/repository/models/bad/load', { parameters: 'not an object' }),
      await post('/v2/repository/index', { ready: 'yes' }),
      await post('/v2/repository/models/nobody/unload'),
    ];
    expect(failures.map((failure) => failure.status)).toEqual([400, 400, 400, 404]);
    for (const failure of failures) {
      expect(Object.keys(failure.json as object)).toEqual(['error']);
      expect(typeof (failure.json as { error: unknown }).error).toBe('string');
    }
  });
});
