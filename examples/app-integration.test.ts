/**
 * An application's own integration test, written as an app that uses aiaas would write it.
 * The code under test (`summarizeFeedback`) calls a model through `AiaasClient`; the test runs
 * it against the bundled reference server (real ONNX models, no network), makes the server
 * misbehave on purpose, and checks that what the app recorded is exactly what it was billed.
 *
 * Run it: npx vitest run examples/app-integration.test.ts
 */
import { type AiaasClient, chat, RateLimitError } from 'aiaas';
import { expectBilled, fault, faultHeaders, useReferenceServer } from 'aiaas/testing';
import { describe, expect, it } from 'vitest';

// ---- The application code (in a real app: src/summarize-feedback.ts) -----------------------

interface FeedbackSummary {
  summary: string;
  tokens: number;
}

async function summarizeFeedback(
  client: AiaasClient,
  feedback: string,
  options: { headers?: Record<string, string> } = {},
): Promise<FeedbackSummary> {
  const request = chat('ref-chat')
    .system('Summarize the customer feedback in one sentence.')
    .user(feedback)
    .maxTokens(24);
  const completion = await client.chat.completions.create(request, options);
  return {
    summary: completion.choices[0]?.message.content?.trim() ?? '',
    tokens: completion.usage?.total_tokens ?? 0,
  };
}

// ---- The test ---------------------------------------------------------------------------------

// One server for this file, started before the tests and closed after them. A fixed seed makes
// the model's answers reproducible. The extra key is a second tenant with a bill of its own.
const billingKey = 'sk-billing-example';
const reference = useReferenceServer({ seed: 42, apiKeys: [billingKey] });

describe('summarizeFeedback', () => {
  it('returns a summary and counts its tokens', async () => {
    const result = await summarizeFeedback(reference.client(), 'The checkout was slow but support was kind.');
    expect(result.summary.length).toBeGreaterThan(0);
    expect(result.tokens).toBeGreaterThan(0);
  });

  it('rides out a rate limit: the SDK waits for Retry-After and tries again', async () => {
    const client = reference.client({ maxRetries: 2 });
    const started = Date.now();
    const result = await summarizeFeedback(client, 'Great prices.', {
      headers: faultHeaders(fault.status(429, { retryAfterMs: 100, times: 1 })),
    });
    expect(result.summary.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('surfaces a rate limit that outlasts the retries as a RateLimitError', async () => {
    const client = reference.client({ maxRetries: 1 });
    const failure = summarizeFeedback(client, 'Too many requests?', {
      headers: faultHeaders(fault.status(429, { retryAfterMs: 10 })),
    });
    await expect(failure).rejects.toBeInstanceOf(RateLimitError);
  });

  it('is billed exactly what it recorded, even when a call had to be retried', async () => {
    // A key of its own: the server keeps one bill per API key, so this test reads only its calls.
    const client = reference.client({ apiKey: billingKey, pricing: 'server', maxRetries: 2 });
    await summarizeFeedback(client, 'Delivery was late.');
    await summarizeFeedback(client, 'The app crashes on login.', {
      headers: faultHeaders(fault.status(503, { times: 1 })),
    });
    const result = await expectBilled(client.ledger, { url: reference.url, apiKey: billingKey });
    expect(result.counts.matched).toBe(2);
  });
});
