import { describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
} from '../../../src/errors/index.js';
import { apiErrorFromResponse, summarizeHtml } from '../../../src/transport/api-error-from-response.js';
import { createRedactor } from '../../../src/transport/redactor.js';

const redactor = createRedactor(['sk-live-secret-key']);

function errorFor(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  requestId: string | null = 'req-1',
) {
  const idHeader: Record<string, string> = requestId === null ? {} : { 'x-request-id': requestId };
  return apiErrorFromResponse(
    { status, headers: { ...idHeader, ...headers }, requestId: requestId ?? undefined },
    body,
    redactor,
  );
}

describe('apiErrorFromResponse', () => {
  it('reads an OpenAI error object with a string code', () => {
    const error = errorFor(
      404,
      JSON.stringify({
        error: {
          message: 'The model `nope` does not exist',
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('The model `nope` does not exist');
    expect(error.message).toContain('request id req-1');
    expect(error.code).toBe('model_not_found');
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe('model');
    expect(error.status).toBe(404);
    expect(error.requestId).toBe('req-1');
    expect(error.retryable).toBe(false);
  });

  it('reads an OpenAI error object with an integer code', () => {
    const error = errorFor(
      429,
      JSON.stringify({ error: { message: 'slow down', type: 'rate_limit', param: null, code: 429 } }),
      {
        'retry-after': '2',
      },
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('429');
    expect(error.param).toBeUndefined();
    expect(error.retryable).toBe(true);
    expect(error.headers['retry-after']).toBe('2');
  });

  it('reads a vLLM error (top-level object "error" and integer code)', () => {
    const error = errorFor(
      400,
      JSON.stringify({
        object: 'error',
        message: "This model's maximum context length is 2048 tokens",
        type: 'BadRequestError',
        param: null,
        code: 400,
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toContain('maximum context length is 2048');
    expect(error.code).toBe('400');
    expect(error.type).toBe('BadRequestError');
  });

  it('reads an OIP string error', () => {
    const error = errorFor(
      400,
      JSON.stringify({ error: "unexpected shape for input 'input' for model 'ref-classify'" }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toContain("unexpected shape for input 'input'");
    expect(error.body).toEqual({ error: "unexpected shape for input 'input' for model 'ref-classify'" });
  });

  it('reads an Ollama string error', () => {
    const error = errorFor(
      404,
      JSON.stringify({ error: 'model "llama9" not found, try pulling it first' }),
      {},
      null,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('model "llama9" not found');
    expect(error.requestId).toBeUndefined();
    expect(error.message).not.toContain('request id');
  });

  it('reads a FastAPI detail (KServe, MLServer)', () => {
    const error = errorFor(
      422,
      JSON.stringify({ detail: [{ loc: ['body', 'inputs'], msg: 'field required' }] }),
    );
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.message).toContain('field required');
  });

  it('summarises an HTML page from a proxy by its title', () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>
      <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>`;
    const error = errorFor(502, html, { 'content-type': 'text/html' });
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.message).toMatch(/^502 Bad Gateway: an HTML page "502 Bad Gateway"/);
    expect(error.message).not.toContain('<');
    expect(error.retryable).toBe(true);
  });

  it('falls back to the heading or the visible text of an HTML page', () => {
    expect(summarizeHtml('<html><body><h1>Service &amp; <b>Unavailable</b></h1></body></html>')).toBe(
      'Service & Unavailable',
    );
    expect(summarizeHtml('<html><body><script>var x=1</script><p>Try   again later</p></body></html>')).toBe(
      'Try again later',
    );
    expect(summarizeHtml(`<html><title>${'x'.repeat(500)}</title></html>`).length).toBeLessThanOrEqual(201);
  });

  it('names the status for an empty body', () => {
    const error = errorFor(503, '');
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.message).toBe(
      '503 Service Unavailable: the response had an empty body (status 503, request id req-1)',
    );
    expect(error.body).toBeUndefined();
  });

  it('keeps a short snippet of plain text and of unknown JSON', () => {
    const text = errorFor(500, `upstream connect error ${'y'.repeat(400)}`, { 'content-type': 'text/plain' });
    expect(text.message).toContain('upstream connect error');
    expect(text.message.length).toBeLessThan(300);
    const unknown = errorFor(418, JSON.stringify({ teapot: true }));
    expect(unknown).toBeInstanceOf(APIError);
    expect(unknown.message).toContain('{"teapot":true}');
  });

  it('redacts a key the server echoed back, in the message and the body', () => {
    const error = errorFor(
      401,
      JSON.stringify({
        error: { message: 'Incorrect API key provided: sk-live-secret-key', code: 'invalid_api_key' },
      }),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toContain('sk-live-secret-key');
    expect(JSON.stringify(error.body)).not.toContain('sk-live-secret-key');
    expect(error.message).toContain('[redacted]');
  });
});
