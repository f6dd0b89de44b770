import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import { requestJson } from './server-test-client.js';

const keys = ['sk-test-alpha-0123456789', 'sk-test-beta-9876543210'];
const logLines: string[] = [];
const logger: ServerLogger = {
  info: (message, fields) => logLines.push(`info ${message} ${JSON.stringify(fields ?? {})}`),
  warn: (message, fields) => logLines.push(`warn ${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => logLines.push(`error ${message} ${JSON.stringify(fields ?? {})}`),
};

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: keys, logger });
});
afterAll(() => server.close());

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys', () => {
  it('lets configured keys in on both dialects', async () => {
    for (const key of keys) {
      expect((await requestJson(`${server.url}/v1/models`, { headers: bearer(key) })).status).toBe(200);
      expect(
        (await requestJson(`${server.url}/v2/models/ref-classify`, { headers: bearer(key) })).status,
      ).toBe(200);
    }
    const chat = await requestJson(`${server.url}/v1/chat/completions`, {
      headers: bearer(keys[0]!),
      body: { model: 'ref-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 },
    });
    expect(chat.status).toBe(200);
  });

  it('answers 401 in the OpenAI shape for a missing or wrong key', async () => {
    const missing = await requestJson(`${server.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({
      type: 'authentication_error',
      code: 'missing_api_key',
      param: null,
    });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await requestJson(`${server.url}/v1/embeddings`, {
      headers: bearer('sk-test-alpha-0123456788'),
      body: { model: 'ref-embed', input: 'x' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_api_key');
    expect(JSON.stringify(wrong.body)).not.toContain('sk-test');
    const otherScheme = await requestJson(`${server.url}/tokenize`, {
      headers: { authorization: `Basic ${keys[0]}` },
      body: { prompt: 'x' },
    });
    expect(otherScheme.status).toBe(401);
  });

  it('answers 401 in the OIP shape under /v2, before looking at the model', async () => {
    for (const path of ['/v2', '/v2/models/ref-classify', '/v2/models/no-such/ready']) {
      const answer = await requestJson(`${server.url}${path}`);
      expect(answer.status).toBe(401);
      expect(Object.keys(answer.body)).toEqual(['error']);
    }
    const infer = await requestJson(`${server.url}/v2/models/ref-classify/infer`, { body: { inputs: [] } });
    expect(infer.status).toBe(401);
  });

  it('needs no key for health checks', async () => {
    for (const path of ['/health', '/v2/health/live', '/v2/health/ready']) {
      expect((await requestJson(`${server.url}${path}`)).status).toBe(200);
    }
  });

  it('never logs a key, logs the tenant id instead, and does not announce development mode', async () => {
    await requestJson(`${server.url}/v1/models`, { headers: bearer(keys[1]!) });
    await requestJson(`${server.url}/v1/models`, { headers: bearer('sk-wrong-key-xyz') });
    const text = logLines.join('\n');
    expect(text).not.toContain('sk-test');
    expect(text).not.toContain('sk-wrong-key-xyz');
    expect(text).toMatch(/"tenant":"key_[0-9a-f]{16}"/);
    expect(text).not.toContain('development mode');
  });
});

describe('without keys', () => {
  it('is open and says so once at start-up', async () => {
    const lines: string[] = [];
    const open = await startReferenceServer({
      port: 0,
      logger: { info() {}, error() {}, warn: (message) => lines.push(message) },
    });
    try {
      expect((await requestJson(`${open.url}/v1/models`)).status).toBe(200);
      expect((await requestJson(`${open.url}/v1/models`, { headers: bearer('anything') })).status).toBe(200);
      expect(lines.filter((line) => line.includes('development mode'))).toHaveLength(1);
    } finally {
      await open.close();
    }
  });
});
