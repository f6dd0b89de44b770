import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { APIError, TimeoutError } from '../../../src/errors/index.js';
import { failureOf } from '../../support/failure-of.js';
import { useHttpTransport } from '../../support/http-transport-fixture.js';

// JSON calls without middleware go straight over the dispatcher (json-answer-handler.ts); these
// are the cases that path handles itself rather than through undici's `request`.
const { server, transport } = useHttpTransport();
const poolSize = 4;

describe('JSON answers read straight from the dispatcher', () => {
  it('times out a call still waiting for a connection, while the pool is busy', async () => {
    let arrivals = 0;
    const allArrived = new Promise<void>((resolve) => {
      server.route('GET', '/busy', async (_request, response) => {
        arrivals += 1;
        if (arrivals === poolSize) resolve();
        await once(response, 'close');
      });
    });
    const holders = Array.from({ length: poolSize }, () => new AbortController());
    const held = holders.map((holder) =>
      failureOf(
        transport().requestJson({ method: 'GET', url: `${server.url}/busy` }, { signal: holder.signal }),
      ),
    );
    await allArrived;
    const queued = await failureOf(
      transport().requestJson({ method: 'GET', url: `${server.url}/busy` }, { timeout: 150 }),
    );
    expect(queued).toBeInstanceOf(TimeoutError);
    expect(queued).toMatchObject({ phase: 'headers', timeoutMs: 150 });
    // It failed without ever reaching the server: every socket was still taken.
    expect(arrivals).toBe(poolSize);
    for (const holder of holders) holder.abort();
    await Promise.all(held);
  });

  it('drops a leading byte order mark and skips 1xx informational answers', async () => {
    server.route('GET', '/bom', (_request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload' });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":"é"}')]));
    });
    const answer = await transport().requestJson({ method: 'GET', url: `${server.url}/bom` });
    expect(answer.data).toEqual({ ok: 'é' });
    expect(answer.response).toMatchObject({ status: 200, bodyBytes: { received: 3 + 11 } });
  });

  it('makes the APIError of an error status from a body sent in many small chunks', async () => {
    server.route('POST', '/refused', async (_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req-400' });
      const body = JSON.stringify({
        error: { message: 'temperature must be at most 2', type: 'invalid_request' },
      });
      for (const character of body) response.write(character);
      response.end();
    });
    const error = await failureOf(
      transport().requestJson({ method: 'POST', url: `${server.url}/refused`, body: { temperature: 9 } }),
    );
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 400, requestId: 'req-400' });
    expect((error as APIError).message).toContain('temperature must be at most 2');
  });
});
