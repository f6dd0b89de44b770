import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { affineModel, writeRepositoryModel } from '../integration/server-test-models.js';
import { errorDialectProblem } from './support/error-dialect.js';
import { jsonOf, sendRaw } from './support/raw-http.js';

// Extends server-model-repository.test.ts and server-errors.test.ts (GET metadata/ready paths):
// here inference POSTs, model names inside JSON bodies, and a real model placed just outside
// the repository, so an escape would show up as that model answering.
const root = mkdtempSync(join(tmpdir(), 'aiaas-escape-'));
const repository = join(root, 'repository');
let server: ReferenceServer;

beforeAll(async () => {
  writeRepositoryModel(repository, 'affine', '1', affineModel(2, 1));
  // A valid model beside the repository, where `../outside` would lead: it must never be served.
  writeRepositoryModel(root, 'outside', '1', affineModel(1000, 7));
  mkdirSync(join(root, 'repository-sibling'), { recursive: true });
  server = await startReferenceServer({ port: 0, modelsDir: repository, logger: silentServerLogger });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const affineInput = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] };
const post = (path: string, body: unknown) =>
  sendRaw(server.url, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  });

const absolute = encodeURIComponent(join(root, 'outside'));
const escapingNames = [
  '..%2Foutside',
  '..%2foutside',
  '%2E%2E%2Foutside',
  '..%5Coutside',
  '..%2F..%2Fetc',
  '..',
  '%2e%2e',
  absolute,
  '%2Fetc%2Fpasswd',
  `affine%2F..%2F..%2Foutside`,
  'affine%00',
  '%00',
  '%c0%ae%c0%ae%2Foutside',
  '..%252Foutside',
  'affine%2F1',
];

describe('model names and repository paths cannot escape the model directory', () => {
  it('refuses every escaping name on inference, metadata and readiness with a 400 or 404 in the OIP dialect', async () => {
    expect((await post('/v2/models/affine/infer', affineInput)).status).toBe(200);
    for (const name of escapingNames) {
      for (const [method, path] of [
        ['POST', `/v2/models/${name}/infer`],
        ['POST', `/v2/models/${name}/versions/1/infer`],
        ['POST', `/v2/models/affine/versions/${name}/infer`],
        ['GET', `/v2/models/${name}`],
        ['GET', `/v2/models/${name}/ready`],
      ] as const) {
        const answer =
          method === 'POST' ? await post(path, affineInput) : await sendRaw(server.url, { method, path });
        expect([400, 404], `${method} ${path} -> ${answer.status} ${answer.text}`).toContain(answer.status);
        expect(errorDialectProblem(path, answer), path).toBeUndefined();
        // The outside model multiplies by 1000: its output would contain 1007.
        expect(answer.text, path).not.toContain('1007');
      }
    }
  });

  it('answers a path-like model name in an OpenAI body with a 404 model_not_found, never a file lookup', async () => {
    const names = [
      '../outside',
      '../../etc/passwd',
      join(root, 'outside'),
      '..\\outside',
      'affine/../outside',
      '%2e%2e%2foutside',
      'ref-chat/../ref-embed',
      'ref-chat\u0000',
    ];
    for (const model of names) {
      for (const [path, body] of [
        ['/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }],
        ['/v1/embeddings', { model, input: 'hi' }],
        ['/v1/completions', { model, prompt: 'hi', max_tokens: 2 }],
        ['/tokenize', { model, prompt: 'hi' }],
      ] as const) {
        const answer = await post(path, body);
        expect(answer.status, `${path} ${JSON.stringify(model)}`).toBe(404);
        expect((jsonOf(answer) as { error: { code: string } }).error.code).toBe('model_not_found');
      }
      const metadata = await sendRaw(server.url, {
        method: 'GET',
        path: `/v1/models/${encodeURIComponent(model)}`,
      });
      expect([400, 404], `GET /v1/models/${model}`).toContain(metadata.status);
      expect(errorDialectProblem('/v1/models', metadata)).toBeUndefined();
    }
  });

  it('lists only the repository and built-in models: nothing from beside the repository', async () => {
    const list = jsonOf(await sendRaw(server.url, { method: 'GET', path: '/v1/models' })) as {
      data: { id: string }[];
    };
    const ids = list.data.map((model) => model.id);
    expect(ids).toContain('affine');
    expect(ids.some((id) => id.includes('outside') || id.includes('..') || id.includes('/'))).toBe(false);
  });
});
