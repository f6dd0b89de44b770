import { beforeAll, describe, expect, it } from 'vitest';
import { type AiaasClient, Money, reconcile, StreamTimeoutError } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

let server: ReferenceServer;
let client: AiaasClient;
const params = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'Tell me about the state of the union' }],
  max_tokens: 14,
  seed: 9,
};
const fault = (directive: string) => ({ headers: { 'x-aiaas-fault': directive } });

const reference = useTestReferenceServer({ pricing: 'server' });
const serverUsage = () => fetchServerUsage(server.url);

beforeAll(() => {
  server = reference.server;
  client = reference.client();
});

describe('streams against aiaas/server faults', () => {
  it('drop_after=3 (once) resumes to the text of an unfaulted run, billed once', async () => {
    const unfaulted = await (await client.chat.completions.stream(params)).final();
    const stream = await client.chat.completions.stream(params, {
      ...fault('drop_after=3;times=1'),
      idempotencyKey: 'drop-3',
    });
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
    expect(final.usage.provenance).toBe('reported');
    expect(final.usage.tokens).toEqual({ ...unfaulted.usage.tokens, compute_ms: expect.any(Number) });
    const records = (await serverUsage()).data.filter((record) => record.idempotency_key === 'drop-3');
    expect(records).toHaveLength(1);
    expect(final.cost?.equals(Money.of(records[0]!.cost.amount, records[0]!.cost.currency))).toBe(true);
    expect(await client.ledger.entries({ idempotencyKey: 'drop-3' })).toHaveLength(1);
  });

  it('plain drop_after=3 (every attempt): a slow reader resumes from event 3, past the cut, once', async () => {
    const unfaulted = await (await client.chat.completions.stream(params)).final();
    const stream = await client.chat.completions.stream(params, {
      ...fault('drop_after=3'),
      idempotencyKey: 'drop-3-always',
    });
    // Slower than the network: events 2 and 3 wait in the body when the cut comes, and must survive it.
    for await (const _event of stream) await new Promise((resolve) => setTimeout(resolve, 40));
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
    expect(final.usage.tokens).toEqual({ ...unfaulted.usage.tokens, compute_ms: expect.any(Number) });
    const records = (await serverUsage()).data.filter((record) => record.idempotency_key === 'drop-3-always');
    expect(records).toHaveLength(1);
  });

  it('chunk_delay_ms: a slow but steady stream within idleTimeout completes unchanged, with reported usage', async () => {
    const unfaulted = await (await client.chat.completions.stream(params)).final();
    const started = performance.now();
    const stream = await client.chat.completions.stream(params, {
      ...fault('chunk_delay_ms=25'),
      idleTimeout: 2_000,
    });
    const final = await stream.final();
    // 14 tokens, each event held back 25 ms: the delay really happened, and nothing was resumed or lost.
    expect(performance.now() - started).toBeGreaterThanOrEqual(10 * 25);
    expect(final.resumed).toBe(0);
    expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
    expect(final.usage.provenance).toBe('reported');
    expect(final.usage.tokens.completion_tokens).toBe(unfaulted.usage.tokens.completion_tokens);
  });

  it('chunk_delay_ms longer than idleTimeout, with no resume: a typed timeout carrying the partial text', async () => {
    const stream = await client.chat.completions.stream(params, {
      ...fault('chunk_delay_ms=400'),
      idleTimeout: 100,
      maxResumes: 0,
    });
    const error = await stream.final().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect((error as StreamTimeoutError).phase).toBe('stream');
  });

  it('stall_after: the idle timeout ends the stream with its partial text, recorded in the ledger', async () => {
    const stream = await client.chat.completions.stream(params, {
      ...fault('stall_after=3'),
      idempotencyKey: 'stall-3',
      idleTimeout: 150,
      // No resume: this is the path where the stall ends the stream.
      maxResumes: 0,
    });
    const error = await stream.final().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect((error as StreamTimeoutError).partial[0]?.length).toBeGreaterThan(0);
    const [entry] = await client.ledger.entries({ idempotencyKey: 'stall-3' });
    expect(entry?.status).toBe('error');
    // The client cancelled the stream on the server and recorded what it billed (issue 7).
    expect(entry?.usage.outputTokens.provenance).toBe('reported');
  });

  it('stall_after=3 (once) with resumes allowed: the idle timeout resumes to the text of an unfaulted run', async () => {
    const unfaulted = await (await client.chat.completions.stream(params)).final();
    const stream = await client.chat.completions.stream(params, {
      ...fault('stall_after=3;times=1'),
      idempotencyKey: 'stall-3-resumed',
      idleTimeout: 150,
    });
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
    expect(final.usage.tokens).toEqual({ ...unfaulted.usage.tokens, compute_ms: expect.any(Number) });
    const records = (await serverUsage()).data.filter(
      (record) => record.idempotency_key === 'stall-3-resumed',
    );
    expect(records).toHaveLength(1);
    const [entry] = await client.ledger.entries({ idempotencyKey: 'stall-3-resumed' });
    expect(entry?.status).toBe('ok');
  });

  it('malformed_after=3 (once): the unreadable line is read again from event 3, to the text of an unfaulted run', async () => {
    const unfaulted = await (await client.chat.completions.stream(params)).final();
    const stream = await client.chat.completions.stream(params, {
      ...fault('malformed_after=3;times=1'),
      idempotencyKey: 'malformed-3',
    });
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
    expect(final.usage.tokens).toEqual({ ...unfaulted.usage.tokens, compute_ms: expect.any(Number) });
    const records = (await serverUsage()).data.filter((record) => record.idempotency_key === 'malformed-3');
    expect(records).toHaveLength(1);
    const [entry] = await client.ledger.entries({ idempotencyKey: 'malformed-3' });
    expect(entry?.status).toBe('ok');
  });

  it('reconciles with the server: retried calls and a resumed stream show zero difference in tokens and money', async () => {
    const keys = ['recon-429', 'recon-drop'];
    await client.chat.completions.create(params, {
      ...fault('status=429;retry_after_ms=10;times=2'),
      idempotencyKey: keys[0],
    });
    await (
      await client.chat.completions.stream(params, {
        ...fault('drop_after=4;times=1'),
        idempotencyKey: keys[1],
      })
    ).final();
    const entries = (await client.ledger.entries()).filter((entry) =>
      keys.includes(entry.idempotencyKey ?? ''),
    );
    const records = (await serverUsage()).data.filter((record) =>
      keys.includes(record.idempotency_key ?? ''),
    );
    // Compute time is the server's own, and a stream's bytes are not metered by the client.
    const result = reconcile(entries, records, { fields: ['inputTokens', 'outputTokens', 'requests'] });
    expect(result.counts.matched).toBe(2);
    expect(result.zeroDifference).toBe(true);
    expect(result.totals.ledger.USD?.equals(result.totals.provider.USD as Money)).toBe(true);
  });
});
