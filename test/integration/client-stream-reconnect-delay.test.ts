import { describe, expect, it } from 'vitest';
import { type AiaasClient, StreamError } from '../../src/index.js';
import type { Middleware } from '../../src/transport/transport-types.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';

const params = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'Tell me about the state of the union' }],
  max_tokens: 14,
  seed: 9,
};

/**
 * The opening request is cut after 3 events (`drop_after=3`); the first resume is refused with
 * 503 and `retry-after-ms` by the server's own fault injection; later resumes go through. Records
 * when each resume was sent.
 */
function refuseFirstResume(retryAfterMs: number, resumesSentAt: number[]): Middleware {
  return (next) => async (request) => {
    // Resumes only: not the opening request, nor the cancellation a broken stream sends.
    const isResume =
      request.url.endsWith('/chat/completions') && request.headers['last-event-id'] !== undefined;
    if (!isResume) return next(request);
    resumesSentAt.push(performance.now());
    const headers: Record<string, string> = { ...request.headers };
    if (resumesSentAt.length === 1) headers['x-aiaas-fault'] = `status=503;retry_after_ms=${retryAfterMs}`;
    else delete headers['x-aiaas-fault'];
    return next({ ...request, headers });
  };
}

const reference = useTestReferenceServer();
const clientWith = (middleware: Middleware): AiaasClient => reference.client({ middleware: [middleware] });

describe('a stream reconnection refused with retry-after', () => {
  it('waits what the server asked (retry-after-ms) before resuming again, and ends with the whole text', async () => {
    const unfaultedClient = reference.client({});
    const unfaulted = await (await unfaultedClient.chat.completions.stream(params)).final();
    await unfaultedClient.close();
    const resumesSentAt: number[] = [];
    const client = clientWith(refuseFirstResume(400, resumesSentAt));
    try {
      const stream = await client.chat.completions.stream(params, {
        headers: { 'x-aiaas-fault': 'drop_after=3' },
        idempotencyKey: 'resume-retry-after',
      });
      const final = await stream.final();
      expect(final.choices[0]?.message.content).toBe(unfaulted.choices[0]?.message.content);
      expect(resumesSentAt).toHaveLength(2);
      const waited = (resumesSentAt[1] as number) - (resumesSentAt[0] as number);
      // The fixed first step was 50 ms; the server asked for 400.
      expect(waited).toBeGreaterThanOrEqual(390);
      expect(final.resumed).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('gives the stream up with its partial text when the server asks to wait longer than the idle timeout', async () => {
    const resumesSentAt: number[] = [];
    const client = clientWith(refuseFirstResume(60_000, resumesSentAt));
    try {
      const started = performance.now();
      const stream = await client.chat.completions.stream(params, {
        headers: { 'x-aiaas-fault': 'drop_after=3' },
        idempotencyKey: 'resume-retry-after-too-long',
        idleTimeout: 20_000,
      });
      const error = await stream.final().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StreamError);
      expect((error as StreamError).code).toBe('resume_failed');
      expect((error as StreamError).partial[0]?.length).toBeGreaterThan(0);
      // Given up at once: not after the minute asked for, nor after the idle timeout; never tried again.
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(resumesSentAt).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
