import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import type { LedgerEntry } from '../../src/cost/ledger-entry.js';
import {
  type DialectTestServer,
  type RecordedRequest,
  sendJson,
  sendText,
  startDialectTestServer,
} from '../support/dialect-test-server.js';

// A server that may advertise `x-aiaas-stream-cancel` on its streams, answering the cancel as a
// test needs (a record, 404, 500, garbage): the client's side of the protocol, against any answer.
let server: DialectTestServer;
const clients: AiaasClient[] = [];
const warnings: string[] = [];
const params = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 64 };
const cancelPath = '/v1/streams/cancel';

function newClient(options: { maxResumes?: number } = {}): AiaasClient {
  const client = new AiaasClient({
    baseURL: `${server.url}/v1`,
    apiKey: 'sk-cancel',
    maxRetries: 0,
    logLevel: 'warn',
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => warnings.push(message),
      error: () => undefined,
    },
    ...options,
  });
  clients.push(client);
  return client;
}

function chunk(index: number): string {
  const delta = index === 1 ? { role: 'assistant', content: 'word ' } : { content: 'word ' };
  const data = {
    id: 's',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: null }],
  };
  return `id: ${index}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Three events, then the stream either stays open (until the client leaves) or is cut once `cutWhen` resolves. */
function streamRoute(options: { advertise: boolean; cutWhen?: Promise<void> }) {
  return async (_request: RecordedRequest, response: ServerResponse) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'x-request-id': 'req-stream',
      ...(options.advertise ? { 'x-aiaas-stream-cancel': cancelPath } : {}),
    });
    await new Promise<void>((resolve) => response.write(chunk(1) + chunk(2) + chunk(3), () => resolve()));
    if (options.cutWhen !== undefined) {
      await options.cutWhen;
      response.socket?.destroy();
      return;
    }
    // Open until the client leaves; 5 s at most, so a test that fails does not hold the server.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      response.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!response.writableEnded) response.end();
  };
}

const billedUsage = {
  input_tokens: 11,
  output_tokens: 23,
  compute_ms: 17,
  bytes_in: 321,
  bytes_out: 4567,
  tensor_elements: 0,
  requests: 1,
};

function cancellationBody(request: RecordedRequest) {
  const key = String(request.headers['idempotency-key']);
  return {
    object: 'stream.cancellation',
    idempotency_key: key,
    state: 'cancelled',
    last_event_id: 3,
    record: {
      id: 'bill_9',
      request_id: 'req-stream',
      tenant: 'key_1',
      model: 'm',
      idempotency_key: key,
      attempt: 1,
      status: 'aborted',
      time: new Date().toISOString(),
      usage: billedUsage,
      cost: { amount: '0.001', currency: 'USD' },
    },
  };
}

/** Reads three events, then stops the stream the way `how` says; resolves once its entry is written. */
async function stopAfterThree(client: AiaasClient, how: 'break' | 'abort' | 'signal'): Promise<LedgerEntry> {
  const controller = new AbortController();
  const stream = await client.chat.completions.stream(
    params,
    how === 'signal' ? { signal: controller.signal } : {},
  );
  let texts = 0;
  try {
    for await (const event of stream) {
      if (event.type === 'text-delta') texts += 1;
      if (texts < 3) continue;
      if (how === 'break') break;
      if (how === 'abort') stream.abort();
      else controller.abort();
    }
  } catch {
    // abort() and the signal end the loop with an AbortError: expected.
  }
  await expect(stream.final()).rejects.toThrow();
  const entries = await client.ledger.entries();
  expect(entries).toHaveLength(1);
  return entries[0] as LedgerEntry;
}

function cancelRequests(): RecordedRequest[] {
  return server.requests.filter((request) => request.path === cancelPath);
}

beforeAll(async () => {
  server = await startDialectTestServer();
});
afterEach(async () => {
  server.requests.length = 0;
  warnings.length = 0;
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await server.close();
});

describe('an unfinished stream is recorded at what the server billed, when it can cancel it', () => {
  it.each(['break', 'abort', 'signal'] as const)(
    'after %s, POSTs the cancel with the stream key and last event id, and records the billed usage',
    async (how) => {
      server.route('POST', '/v1/chat/completions', streamRoute({ advertise: true }));
      server.route('POST', cancelPath, (request, response) =>
        sendJson(response, 200, cancellationBody(request)),
      );
      const entry = await stopAfterThree(newClient(), how);
      const [cancel] = cancelRequests();
      const opening = server.requests.find((request) => request.path === '/v1/chat/completions');
      expect(cancelRequests()).toHaveLength(1);
      expect(cancel?.headers.authorization).toBe('Bearer sk-cancel');
      expect(cancel?.headers['idempotency-key']).toBe(opening?.headers['idempotency-key']);
      expect(cancel?.headers['idempotency-key']).toBe(entry.idempotencyKey);
      expect(cancel?.headers['last-event-id']).toBe('3');
      expect(cancel?.body).toBe('{}');
      expect(entry.status).toBe('aborted');
      expect(entry.usage).toMatchObject({
        inputTokens: { value: 11, provenance: 'reported' },
        outputTokens: { value: 23, provenance: 'reported' },
        computeMs: { value: 17, provenance: 'reported' },
        bytesIn: { value: 321, provenance: 'reported' },
        bytesOut: { value: 4567, provenance: 'reported' },
        requests: { value: 1, provenance: 'reported' },
      });
      expect(warnings).toEqual([]);
    },
  );

  it('a stream that broke for good (no resumes left) is cancelled too, and recorded as an error', async () => {
    // A cut mid-stream, once the client has read the three events.
    let readThree!: () => void;
    const cutWhen = new Promise<void>((resolve) => {
      readThree = resolve;
    });
    server.route('POST', '/v1/chat/completions', streamRoute({ advertise: true, cutWhen }));
    server.route('POST', cancelPath, (request, response) =>
      sendJson(response, 200, cancellationBody(request)),
    );
    const client = newClient({ maxResumes: 0 });
    const stream = await client.chat.completions.stream(params);
    let texts = 0;
    const reading = (async () => {
      for await (const event of stream) if (event.type === 'text-delta' && ++texts === 3) readThree();
    })();
    await expect(reading).rejects.toThrow();
    await expect(stream.final()).rejects.toThrow();
    const [entry] = await client.ledger.entries();
    expect(entry?.status).toBe('error');
    expect(entry?.usage.outputTokens).toEqual({ value: 23, provenance: 'reported' });
    expect(cancelRequests().map((request) => request.headers['last-event-id'])).toEqual(['3']);
  });
});

describe('falls back to the estimate', () => {
  it('sends no cancel when the stream did not advertise one (another provider)', async () => {
    server.route('POST', '/v1/chat/completions', streamRoute({ advertise: false }));
    server.route('POST', cancelPath, (request, response) =>
      sendJson(response, 200, cancellationBody(request)),
    );
    const entry = await stopAfterThree(newClient(), 'break');
    expect(entry.status).toBe('aborted');
    expect(entry.usage.outputTokens).toMatchObject({ provenance: 'estimated' });
    expect(entry.usage.outputTokens.value).toBeGreaterThan(0);
    expect(entry.usage.outputTokens.value).not.toBe(23);
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/chat/completions']);
    expect(warnings).toEqual([]);
  });

  it('never sends the credentials to another origin an advert points at', async () => {
    server.route('POST', '/v1/chat/completions', async (request, response) => {
      response.setHeader('x-aiaas-stream-cancel', 'http://attacker.invalid/v1/streams/cancel');
      await streamRoute({ advertise: false })(request, response);
    });
    const entry = await stopAfterThree(newClient(), 'break');
    expect(entry.usage.outputTokens.provenance).toBe('estimated');
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      '404 stream_not_found',
      1,
      (response: ServerResponse) =>
        sendJson(response, 404, {
          error: { message: 'no such stream', type: 'invalid_request_error', code: 'stream_not_found' },
        }),
    ],
    // A 500 is retryable: retried once by the client's policy, and no more.
    [
      '500',
      2,
      (response: ServerResponse) =>
        sendJson(response, 500, { error: { message: 'boom' } }, { 'retry-after-ms': '1' }),
    ],
    [
      'a 200 that is not a cancellation',
      1,
      (response: ServerResponse) => sendJson(response, 200, { object: 'stream.cancellation', state: 'gone' }),
    ],
    [
      'a 200 that is not JSON',
      1,
      (response: ServerResponse) => sendText(response, 200, '<html>ok</html>', 'text/html'),
    ],
  ])('when the cancel answers %s, and logs a warning', async (_name, attempts, answer) => {
    server.route('POST', '/v1/chat/completions', streamRoute({ advertise: true }));
    server.route('POST', cancelPath, (_request, response) => answer(response));
    const entry = await stopAfterThree(newClient(), 'break');
    expect(entry.status).toBe('aborted');
    expect(entry.usage.outputTokens).toMatchObject({ provenance: 'estimated' });
    expect(entry.usage.outputTokens.value).not.toBe(23);
    expect(cancelRequests()).toHaveLength(attempts);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Cancelling an unfinished stream on the server failed/);
  });
});
