import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { openAIErrorBodySchema } from '../../src/wire/openai/error-schemas.js';
import { rawGet, requestJson } from './server-test-client.js';

const bodyLimitBytes = 64 * 1024;
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, bodyLimitBytes, logger: silentServerLogger });
});
afterAll(() => server.close());

const openAIPosts = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/tokenize'];
const oipPosts = ['/v2/models/ref-classify/infer', '/v2/models/ref-classify/versions/1/infer'];
const gets = [
  '/v1/models',
  '/v1/models/ref-chat',
  '/health',
  '/v2',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/ref-embed',
  '/v2/models/ref-embed/versions/1',
  '/v2/models/ref-embed/ready',
  '/v2/models/ref-embed/versions/1/ready',
];

function expectOpenAIError(body: unknown, code?: string): void {
  const parsed = openAIErrorBodySchema.parse(body);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  if (code !== undefined) expect(parsed.error.code).toBe(code);
}

function expectOipError(body: unknown): void {
  expect(Object.keys(body as object)).toEqual(['error']);
  expect(typeof (body as { error: unknown }).error).toBe('string');
}

describe('malformed and invalid bodies', () => {
  it.each([...openAIPosts, ...oipPosts])('%s: malformed JSON is a 400 in the dialect shape', async (path) => {
    for (const rawBody of ['{"model": ', '', 'null', '[]', '"text"']) {
      const answer = await requestJson(`${server.url}${path}`, { rawBody });
      expect(answer.status).toBe(400);
      if (path.startsWith('/v2')) expectOipError(answer.body);
      else expectOpenAIError(answer.body);
      expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
    }
  });

  it('names the field of a schema violation in param', async () => {
    const cases: [string, unknown, string][] = [
      [
        '/v1/chat/completions',
        { model: 'ref-chat', messages: [{ role: 'robot', content: 'hi' }] },
        'messages.0.role',
      ],
      [
        '/v1/chat/completions',
        { model: 'ref-chat', messages: [{ role: 'user', content: 'hi' }], temperature: 5 },
        'temperature',
      ],
      ['/v1/chat/completions', { model: 'ref-chat', messages: [] }, 'messages'],
      ['/v1/completions', { model: 'ref-chat', prompt: 'x', n: 0 }, 'n'],
      ['/v1/embeddings', { model: 'ref-embed', input: 42 }, 'input'],
      ['/v1/embeddings', { model: 'ref-embed', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
      ['/tokenize', { prompt: 5 }, 'prompt'],
      ['/tokenize', { messages: 'hi' }, 'messages'],
      [
        '/v1/chat/completions',
        {
          model: 'ref-chat',
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ type: 'function', function: { name: 'f' } }],
          tool_choice: { type: 'function', function: { name: 'g' } },
        },
        'tool_choice.function.name',
      ],
      [
        '/v1/chat/completions',
        {
          model: 'ref-chat',
          messages: [{ role: 'user', content: 'hi' }],
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'a',
              schema: { type: 'object', properties: { a: { type: 'string', pattern: 'x' } } },
            },
          },
        },
        'response_format.json_schema.schema.properties.a.pattern',
      ],
      [
        '/v1/chat/completions',
        {
          model: 'ref-chat',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
        },
        'messages.0.content.0',
      ],
      [
        '/v1/chat/completions',
        { model: 'ref-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100_000 },
        'max_tokens',
      ],
      [
        '/v1/chat/completions',
        {
          model: 'ref-chat',
          messages: [{ role: 'user', content: 'hi' }],
          stream_options: { include_usage: true },
        },
        'stream_options',
      ],
      ['/v1/completions', { model: 'ref-chat', prompt: [999_999] }, 'prompt.0'],
    ];
    for (const [path, body, param] of cases) {
      const answer = await requestJson(`${server.url}${path}`, { body });
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expectOpenAIError(answer.body);
      expect(answer.body.error.param).toBe(param);
      expect(answer.body.error.message).toContain(param === 'messages.0.content.0' ? 'image_url' : '');
    }
  });

  it('answers 404 for unknown models and 400 for a model used for the wrong task', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }],
      ['/v1/completions', { model: 'gpt-9', prompt: 'hi' }],
      ['/v1/embeddings', { model: 'gpt-9', input: 'hi' }],
      ['/tokenize', { model: 'gpt-9', prompt: 'hi' }],
    ] as const) {
      const answer = await requestJson(`${server.url}${path}`, { body });
      expect(answer.status).toBe(404);
      expectOpenAIError(answer.body, 'model_not_found');
      expect(answer.body.error.param).toBe('model');
    }
    expect((await requestJson(`${server.url}/v1/models/gpt-9`)).status).toBe(404);
    const wrongTask = await requestJson(`${server.url}/v1/embeddings`, {
      body: { model: 'ref-chat', input: 'hi' },
    });
    expect(wrongTask.status).toBe(400);
    expectOpenAIError(wrongTask.body, 'model_not_supported');
  });

  it('answers 400, not 500, to absurdly nested JSON', async () => {
    const rawBody = `{"inputs":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const answer = await requestJson(`${server.url}/v2/models/ref-classify/infer`, { rawBody });
    expect(answer.status).toBe(400);
    expectOipError(answer.body);
  });
});

describe('routes and methods', () => {
  it('answers 405 with allow for a known path under another method', async () => {
    const getOnPost = await requestJson(`${server.url}/v1/chat/completions`);
    expect(getOnPost.status).toBe(405);
    expect(getOnPost.headers.get('allow')).toBe('POST');
    expectOpenAIError(getOnPost.body, 'method_not_allowed');
    const postOnGet = await requestJson(`${server.url}/v2/models/ref-embed`, { rawBody: '{}' });
    expect(postOnGet.status).toBe(405);
    expect(postOnGet.headers.get('allow')).toBe('GET');
    expectOipError(postOnGet.body);
    expect((await requestJson(`${server.url}/health`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers 404 for unknown routes in the dialect of the prefix', async () => {
    const openAI = await requestJson(`${server.url}/v1/nothing-here`);
    expect(openAI.status).toBe(404);
    expectOpenAIError(openAI.body, 'unknown_route');
    const oip = await requestJson(`${server.url}/v2/nothing/here`);
    expect(oip.status).toBe(404);
    expectOipError(oip.body);
    expect((await requestJson(`${server.url}/`)).status).toBe(404);
  });

  it('refuses path segments that could escape, whatever their encoding', async () => {
    for (const path of [
      '/v2/models/..%2F..%2Fetc/ready',
      '/v2/models/%2e%2e',
      '/v2/models/../../etc/passwd',
      '/v2/models/a%5Cb',
      '/v2/models/%zz',
    ]) {
      const answer = await rawGet(server.url, path);
      expect(answer.status, path).toBe(400);
      expectOipError(answer.body);
    }
    // What a client resolves before sending (fetch turns `/v2/models/../../etc` into `/etc`) is just an unknown path.
    expect((await requestJson(`${server.url}/v2/models/../../etc/passwd`)).status).toBe(404);
  });
});

function rawPost(path: string, headers: Record<string, string>): ReturnType<typeof httpRequest> {
  const url = new URL(path, server.url);
  return httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
}

describe('body size limit', () => {
  it('refuses a declared body over the limit before reading it', async () => {
    const request = rawPost('/v1/embeddings', {
      'content-type': 'application/json',
      'content-length': String(10 * 1024 * 1024),
    });
    request.write('{"model":"ref-embed","input":"');
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(413);
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    let text = '';
    for await (const chunk of response) text += chunk;
    expectOpenAIError(JSON.parse(text), 'request_too_large');
    request.destroy();
  });

  it('stops reading a chunked body as soon as it crosses the limit', async () => {
    const request = rawPost('/v2/models/ref-classify/infer', { 'content-type': 'application/json' });
    request.on('error', () => {});
    const responded = once(request, 'response') as Promise<[IncomingMessage]>;
    let sent = 0;
    let answered = false;
    void responded.then(() => {
      answered = true;
    });
    // 4 KiB at a time, up to 1 MiB: the answer must come long before the body would end.
    while (!answered && sent < 1024 * 1024) {
      request.write('x'.repeat(4096));
      sent += 4096;
      await new Promise((resolve) => setTimeout(resolve, 2)); // a client uploading at its own pace
    }
    const [response] = await responded;
    expect(response.statusCode).toBe(413);
    expect(sent).toBeLessThan(1024 * 1024);
    let text = '';
    for await (const chunk of response) text += chunk;
    expectOipError(JSON.parse(text));
    request.destroy();
  });

  it('still accepts bodies under the limit', async () => {
    const answer = await requestJson(`${server.url}/tokenize`, { body: { prompt: 'a '.repeat(1000) } });
    expect(answer.status).toBe(200);
  });
});

describe('robustness', () => {
  it('answers HTTP the parser rejects with a 400 that carries x-request-id', async () => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    let text = '';
    for await (const chunk of socket) text += chunk;
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toMatch(/x-request-id: req_[0-9a-f]{24}/);
  });

  it('never answers 500 and keeps serving, whatever is sent to any endpoint', async () => {
    const paths = [...openAIPosts, ...oipPosts, ...gets, '/v2/models/ref-embed/infer'];
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(fc.jsonValue(), fc.string()),
        async (path, value) => {
          const rawBody = typeof value === 'string' ? value : JSON.stringify(value);
          const answer = await requestJson(`${server.url}${path}`, { method: 'POST', rawBody });
          statuses.add(answer.status);
          return answer.status < 500 && answer.headers.get('x-request-id') !== null;
        },
      ),
      { numRuns: 300, seed: 20240611 },
    );
    expect([...statuses].every((status) => status >= 400 && status < 500)).toBe(true);
    const shapes = fc.record(
      {
        model: fc.constantFrom('ref-chat', 'ref-embed', 'ref-classify', ''),
        messages: fc.array(
          fc.record({
            role: fc.constantFrom('user', 'system', 'x'),
            content: fc.oneof(fc.string(), fc.integer()),
          }),
        ),
        prompt: fc.oneof(fc.string(), fc.array(fc.integer({ min: -5, max: 5000 }))),
        input: fc.oneof(fc.string(), fc.array(fc.string()), fc.array(fc.integer({ min: -1, max: 5000 }))),
        max_tokens: fc.integer({ min: -2, max: 8 }),
        n: fc.integer({ min: -1, max: 3 }),
        temperature: fc.double({ min: -1, max: 3, noNaN: true }),
        top_p: fc.double({ min: -1, max: 2, noNaN: true }),
        stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 5 })),
        dimensions: fc.integer({ min: -1, max: 300 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...openAIPosts), shapes, async (path, body) => {
        const answer = await requestJson(`${server.url}${path}`, { body });
        return answer.status < 500;
      }),
      { numRuns: 200, seed: 7 },
    );
    expect((await requestJson(`${server.url}/health`)).status).toBe(200);
  });
});
