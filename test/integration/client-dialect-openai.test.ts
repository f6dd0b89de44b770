import { beforeAll, describe, expect, it } from 'vitest';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import {
  BadRequestError,
  InternalServerError,
  RateLimitError,
  ValidationError,
} from '../../src/errors/index.js';
import { UnsupportedOperationError } from '../../src/providers/unsupported-operation-error.js';
import { useDialectTestServer } from '../support/dialect-server-fixture.js';
import { sendJson, sendText } from '../support/dialect-test-server.js';

const { server, client } = useDialectTestServer({ apiKey: 'sk-dialect', maxRetries: 0 });
let openai: AiaasClient;
beforeAll(() => {
  openai = client({ baseURL: `${server.url}/v1` });
});

const hello = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('OpenAI-compatible dialect edge cases', () => {
  it('turns a proxy HTML 502 into InternalServerError with the page title', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendText(
        response,
        502,
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>',
        'text/html',
      ),
    );
    const error = await openai.chat.completions.create(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, requestId: 'req-dialect', retryable: true });
    expect((error as Error).message).toBe(
      '502 Bad Gateway: an HTML page "502 Bad Gateway" (likely from a proxy or gateway) (status 502, request id req-dialect) ' +
        'Gave up after 1 attempt (maxRetries is 0): the server kept answering 502.',
    );
  });

  it('turns an empty error body into the status subclass with the status text', async () => {
    server.route('GET', '/v1/models', (_request, response) =>
      response.writeHead(429, { 'retry-after': '1' }).end(),
    );
    const error = await openai.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as Error).message).toMatch(/^429 Too Many Requests: the response had an empty body/);
    expect((error as RateLimitError).headers['retry-after']).toBe('1');
  });

  it('reports a 200 with the wrong content type as a ValidationError', async () => {
    server.route('GET', '/v1/models', (_request, response) => sendText(response, 200, 'OK', 'text/plain'));
    const error = await openai.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/Expected JSON from GET .* but got text\/plain: "OK"/);
  });

  it('reads vLLM errors with integer codes', async () => {
    server.route('POST', '/v1/completions', (_request, response) =>
      sendJson(response, 400, {
        object: 'error',
        message: 'max_tokens must be at least 1, got 0.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      }),
    );
    const error = await openai.completions
      .create({ model: 'm', prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      code: '400',
      type: 'BadRequestError',
      status: 400,
      requestId: 'req-dialect',
    });
    expect((error as Error).message).toContain('max_tokens must be at least 1');
  });

  it('rejects a response that does not match its schema, naming the path and request id', async () => {
    server.route('POST', '/v1/chat/completions', (_request, response) =>
      sendJson(
        response,
        200,
        {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 5 } }],
        },
        { 'x-request-id': 'req-bad' },
      ),
    );
    const error = await openai.chat.completions.create(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ subject: 'response', requestId: 'req-bad' });
    expect((error as ValidationError).path).toBe('choices.0.message.content');
    expect((error as Error).message).toContain('request id req-bad');
  });

  it('keeps slashes in model ids and sends tokenize to the server root', async () => {
    server.route('GET', '/v1/models/org/model-7b', (_request, response) =>
      sendJson(response, 200, { id: 'org/model-7b', object: 'model', created: 0, owned_by: 'org' }),
    );
    server.route('POST', '/tokenize', (request, response) =>
      sendJson(response, 200, {
        count: 2,
        max_model_len: 64,
        tokens: [1, 2],
        echoed: JSON.parse(request.body),
      }),
    );
    expect((await openai.models.retrieve('org/model-7b')).id).toBe('org/model-7b');
    expect((await openai.tokenize({ model: 'm', prompt: 'hi' })).count).toBe(2);
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/models/org/model-7b', '/tokenize']);
  });

  it('refuses OIP operations on the openai provider without touching the network', async () => {
    const before = server.connections;
    const error = await openai.inference.serverMetadata().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect((error as Error).message).toBe(
      // No retry sentence: nothing was sent, so "Not retried" would only point at the network.
      'The openai provider does not support inference.serverMetadata. Use the oip provider for Open Inference Protocol servers.',
    );
    expect(server.connections).toBe(before);
  });
});
