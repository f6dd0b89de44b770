import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  Budget,
  chat,
  estimateTokens,
  Money,
  makeUsage,
  PriceCatalog,
  StreamTimeoutError,
} from '../../src/index.js';
import { useDialectTestServer } from '../support/dialect-server-fixture.js';
import type { RecordedRequest } from '../support/dialect-test-server.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';

const pricing = PriceCatalog.fromServerPricing({
  currency: 'USD',
  effective_from: '2025-01-01',
  models: {
    'ref-chat': { per_token: { input_per_million: '0.50', output_per_million: '1.50' } },
    m: { per_token: { input_per_million: '1', output_per_million: '2' } },
  },
});

describe('streaming against aiaas/server', () => {
  const reference = useTestReferenceServer({ pricing });
  const messages = [{ role: 'user' as const, content: 'Tell us about the state of the union.' }];

  it('streams the same text as create() for the same seed, with reported usage and its cost', async () => {
    const client = reference.client();
    const params = { model: 'ref-chat', messages, max_tokens: 24, seed: 11 };
    const created = await client.chat.completions.create(params);
    const stream = await client.chat.completions.stream(
      chat('ref-chat').user(messages[0]!.content).maxTokens(24).seed(11),
    );
    let text = '';
    for await (const piece of stream.text()) text += piece;
    const final = await stream.final();
    expect(text).toBe(created.choices[0]?.message.content);
    expect(final.choices[0]?.message.content).toBe(text);
    expect(final.usage.provenance).toBe('reported');
    expect(final.usage.tokens).toMatchObject({
      prompt_tokens: created.usage?.prompt_tokens,
      completion_tokens: created.usage?.completion_tokens,
    });
    const { prompt_tokens: prompt, completion_tokens: output } = final.usage.tokens;
    expect(final.usageBuckets.inputTokens).toEqual({ value: prompt, provenance: 'reported' });
    expect(final.usageBuckets.outputTokens).toEqual({ value: output, provenance: 'reported' });
    const expected = Money.of('0.50', 'USD')
      .times(String(prompt))
      .plus(Money.of('1.50', 'USD').times(String(output)))
      .dividedBy(1_000_000n);
    expect(final.cost?.equals(expected)).toBe(true);
    const entries = await client.ledger.entries({ idempotencyKey: stream.idempotencyKey as string });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      status: 'ok',
      attempt: 1,
      requestId: stream.requestId,
      model: 'ref-chat',
    });
    expect(entries[0]?.cost?.equals(expected)).toBe(true);
  });

  it('streams text completions too, identical to create()', async () => {
    const client = reference.client();
    const params = { model: 'ref-chat', prompt: 'Once upon a time', max_tokens: 12, seed: 5 };
    const created = await client.completions.create(params);
    const stream = await client.completions.stream(params);
    const final = await stream.final();
    expect(final.choices[0]?.message.content).toBe(created.choices[0]?.text);
    expect(final.usage.tokens.completion_tokens).toBe(created.usage?.completion_tokens);
    expect(final.cost).not.toBeNull();
  });
});

/** SSE events of one canned stream: text pieces, a finish, usage, each with an increasing id. */
const PIECES = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' dog'];
const CHUNKS = [
  ...PIECES.map((piece, index) => ({
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: piece } : { content: piece },
        finish_reason: null,
      },
    ],
  })),
  { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  {
    choices: [],
    usage: { prompt_tokens: 9, completion_tokens: PIECES.length, total_tokens: 9 + PIECES.length },
  },
];
const EVENTS = [
  ...CHUNKS.map(
    (chunk, index) =>
      `id: ${index + 1}\ndata: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', ...chunk })}\n\n`,
  ),
  `id: ${CHUNKS.length + 1}\ndata: [DONE]\n\n`,
];

describe('streaming against a local server', () => {
  const { server, client: newClient } = useDialectTestServer({ apiKey: 'k', pricing });
  /** Request ids whose response the client closed before it finished. */
  const closedEarly = new Set<string>();
  /** A socket close reaches the server a moment after the client acts. */
  const closedEarlyAtServer = (requestId: unknown) =>
    vi.waitFor(() => expect(closedEarly.has(requestId as string)).toBe(true), {
      timeout: 5_000,
      interval: 5,
    });
  const params = {
    model: 'm',
    messages: [{ role: 'user' as const, content: 'Tell me a story' }],
    max_tokens: 16,
  };

  /** Streams EVENTS; `mode` decides the fault: `cut` after 3 events (resumable), `stall` after 2. */
  function serve(mode: 'none' | 'cut' | 'stall') {
    let served = 0;
    return async (request: RecordedRequest, response: ServerResponse) => {
      served += 1;
      const requestId = `req_${served}`;
      let open = true;
      response.on('close', () => {
        open = false;
        if (!response.writableFinished) closedEarly.add(requestId);
      });
      const lastEventId = request.headers['last-event-id'];
      const from = typeof lastEventId === 'string' ? Number(lastEventId) : 0;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId });
      for (const [index, event] of EVENTS.entries()) {
        if (index < from) continue;
        if (from === 0 && mode === 'cut' && index === 3) {
          response.write(event.slice(0, 12), () => response.socket?.destroy());
          return;
        }
        if (mode === 'stall' && index === 2) {
          // A server that stalls: keep-alive comments every 10 ms, no data, until the client leaves.
          while (open) {
            response.write(': keep-alive\n\n');
            await sleep(10);
          }
          return;
        }
        response.write(event);
      }
      response.end();
    };
  }

  it('resumes a cut stream with Last-Event-ID and the same key: the text is identical to an unbroken run', async () => {
    server.route('POST', '/v1/chat/completions', serve('none'));
    const client = newClient();
    const unbroken = await (await client.chat.completions.stream(params)).final();
    server.requests.length = 0;
    server.route('POST', '/v1/chat/completions', serve('cut'));
    const stream = await client.chat.completions.stream(params);
    const seen: string[] = [];
    for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
    const final = await stream.final();
    expect(seen).toEqual(PIECES);
    expect(final.choices[0]?.message.content).toBe(unbroken.choices[0]?.message.content);
    expect(final.resumed).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers['last-event-id']).toBe('3');
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      stream.idempotencyKey,
      stream.idempotencyKey,
    ]);
    expect(final.usage.provenance).toBe('reported');
    const entries = await client.ledger.entries({ idempotencyKey: stream.idempotencyKey as string });
    expect(entries.map((entry) => entry.status)).toEqual(['ok']);
    expect(entries[0]?.usage.outputTokens.value).toBe(PIECES.length);
  });

  it('break closes the socket at once and records the usage so far as estimated', async () => {
    server.route('POST', '/v1/chat/completions', serve('stall'));
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD') }] });
    const client = newClient({ budget });
    const stream = await client.chat.completions.stream(params);
    for await (const event of stream) if (event.type === 'text-delta') break;
    await closedEarlyAtServer(stream.requestId);
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
    const [entry] = await client.ledger.entries({ idempotencyKey: stream.idempotencyKey as string });
    expect(entry?.status).toBe('aborted');
    // Counted locally from what arrived before the stall: the first two pieces.
    expect(entry?.usage.outputTokens).toEqual({
      value: estimateTokens(PIECES.slice(0, 2).join('')),
      provenance: 'estimated',
    });
    expect(entry?.usage.inputTokens.provenance).toBe('estimated');
    expect(entry?.usage.inputTokens.value).toBeGreaterThan(0);
    const expected = pricing.cost('m', entry!.usage).total;
    expect(entry?.cost?.equals(expected)).toBe(true);
    const [status] = await budget.status();
    expect(status?.reserved.isZero()).toBe(true);
    expect(status?.spent.equals(expected)).toBe(true);
  });

  it('abort() without reading records an aborted entry and releases the socket', async () => {
    server.route('POST', '/v1/chat/completions', serve('stall'));
    const client = newClient();
    const stream = await client.chat.completions.stream(params);
    stream.abort();
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
    await closedEarlyAtServer(stream.requestId);
    const entries = await client.ledger.entries({ idempotencyKey: stream.idempotencyKey as string });
    expect(entries.map((entry) => entry.status)).toEqual(['aborted']);
  });

  it('an idle stall mid-stream fails with StreamTimeoutError carrying the text, and is recorded', async () => {
    server.route('POST', '/v1/chat/completions', serve('stall'));
    const client = newClient({ idleTimeout: 80 });
    const stream = await client.chat.completions.stream(params);
    const error = await stream.final().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect((error as StreamTimeoutError).partial).toEqual(['The quick']);
    const [entry] = await client.ledger.entries({ idempotencyKey: stream.idempotencyKey as string });
    expect(entry?.status).toBe('error');
    expect(entry?.usage.outputTokens.provenance).toBe('estimated');
    expect(entry?.usage.outputTokens.value).toBeGreaterThan(0);
  });

  it('without pricing, a stream records its usage with cost null', async () => {
    server.route('POST', '/v1/chat/completions', serve('none'));
    const client = newClient({ pricing: undefined });
    const final = await (await client.chat.completions.stream(params)).final();
    expect(final.cost).toBeNull();
    // Streams record the bytes exchanged too: the request body as sent, the response body as read.
    expect(final.usageBuckets.bytesOut.value).toBeGreaterThan(0);
    expect(final.usageBuckets).toEqual(
      makeUsage({
        inputTokens: 9,
        outputTokens: PIECES.length,
        requests: 1,
        bytesIn: Buffer.byteLength(server.requests.at(-1)!.body),
        bytesOut: final.usageBuckets.bytesOut.value,
      }),
    );
    const [entry] = await client.ledger.entries();
    expect(entry?.cost).toBeNull();
  });
});
