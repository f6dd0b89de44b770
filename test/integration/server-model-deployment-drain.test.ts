import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import {
  affineConfig,
  inferAffine,
  loadModel,
  repositoryIndex,
  unloadModel,
} from './deployment-test-client.js';
import { affineModel } from './server-test-models.js';

// A request is in flight on a version from the moment it resolves it until it answers; the
// infer route resolves before it reads the body, so a request whose body is held back stays in
// flight on the version it started on for as long as the test likes.

const key = 'sk-drain';
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [key], workers: 1 });
});
afterAll(async () => {
  await server.close();
});

async function bufferedBodyBytes(): Promise<number> {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })
  ).text();
  return Number(/^aiaas_request_body_buffered_bytes (\S+)$/m.exec(text)?.[1] ?? 0);
}

/** Starts an inference whose body is sent only when `finish()` is called; resolves once the server holds it. */
async function heldInference(name: string) {
  const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
  const request = httpRequest(`${server.url}/v2/models/${name}/infer`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': String(body.length),
    },
  });
  request.flushHeaders();
  const responded = once(request, 'response') as Promise<[IncomingMessage]>;
  // The server reserves the declared length as it starts reading the body: the version is resolved by then.
  await vi.waitFor(async () => expect(await bufferedBodyBytes()).toBeGreaterThanOrEqual(body.length), {
    timeout: 10_000,
  });
  return {
    async finish() {
      request.end(body);
      const [response] = await responded;
      let text = '';
      for await (const chunk of response) text += chunk;
      return { status: response.statusCode, body: JSON.parse(text) };
    },
  };
}

describe('in-flight requests finish on the version they started on', () => {
  it('a reload swaps versions while a request on the old one is still running', async () => {
    expect(
      (await loadModel(server.url, key, 'held', { config: affineConfig, files: { 1: affineModel(2, 1) } }))
        .status,
    ).toBe(200);
    const held = await heldInference('held');
    expect(
      (await loadModel(server.url, key, 'held', { config: affineConfig, files: { 2: affineModel(10, -1) } }))
        .status,
    ).toBe(200);
    expect((await inferAffine(server.url, key, 'held')).body).toMatchObject({
      model_version: '2',
      outputs: [{ data: [9, 19, 29] }],
    });
    // The old session is still there for the request that resolved it.
    expect(await held.finish()).toMatchObject({
      status: 200,
      body: { model_version: '1', outputs: [{ data: [3, 5, 7] }] },
    });
  });

  it('an unload waits for the request in flight, which answers from the model it started on', async () => {
    const held = await heldInference('held');
    const unloading = unloadModel(server.url, key, 'held');
    // The model leaves the index and the routes at once; its session waits for the held request.
    await vi.waitFor(
      async () =>
        expect((await repositoryIndex(server.url, key)).body).toContainEqual({
          name: 'held',
          version: '2',
          state: 'UNAVAILABLE',
          reason: 'unloaded',
        }),
      { timeout: 10_000 },
    );
    expect((await inferAffine(server.url, key, 'held')).status).toBe(404);
    expect(await held.finish()).toMatchObject({
      status: 200,
      body: { model_version: '2', outputs: [{ data: [9, 19, 29] }] },
    });
    expect((await unloading).status).toBe(200);
  });
});
