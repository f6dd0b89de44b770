import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArguments } from '../../src/cli/serve-command.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

const [alice, bob] = ['sk-limit-alice', 'sk-limit-bob'];
let requestsLimited: ReferenceServer;
let tokensLimited: ReferenceServer;
beforeAll(async () => {
  requestsLimited = await startReferenceServer({
    port: 0,
    apiKeys: [alice, bob],
    rateLimits: { requestsPerMinute: 2 },
    logger: silentServerLogger,
  });
  tokensLimited = await startReferenceServer({
    port: 0,
    apiKeys: [alice],
    rateLimits: { tokensPerMinute: 220 },
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await requestsLimited.close();
  await tokensLimited.close();
});

const embed = (server: ReferenceServer, key: string, path = '/v1/embeddings') =>
  requestJson(`${server.url}${path}`, {
    body: path === '/v1/embeddings' ? { model: 'ref-embed', input: 'hello' } : { inputs: [] },
    headers: bearer(key),
  });

describe('requests per minute', () => {
  it('sends x-ratelimit headers on success and a 429 with retry-after past the limit', async () => {
    const first = await embed(requestsLimited, alice);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    expect((await embed(requestsLimited, alice)).headers.get('x-ratelimit-remaining-requests')).toBe('0');

    const refused = await embed(requestsLimited, alice);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    const retryAfterMs = Number(refused.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(Number(refused.headers.get('retry-after'))).toBe(Math.ceil(retryAfterMs / 1000));
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-request-id')).toMatch(/^req_/);
    // OIP routes are limited too, and refused in their own dialect.
    const oip = await embed(requestsLimited, alice, '/v2/models/ref-classify/infer');
    expect(oip.status).toBe(429);
    expect(typeof oip.body.error).toBe('string');
  });

  it('limits each API key on its own and leaves reads alone', async () => {
    expect((await embed(requestsLimited, bob)).status).toBe(200);
    const listing = await requestJson(`${requestsLimited.url}/v1/models`, { headers: bearer(alice) });
    expect(listing.status).toBe(200);
    expect(listing.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const usage = await requestJson(`${requestsLimited.url}/v1/usage`, { headers: bearer(alice) });
    expect(usage.body.data).toHaveLength(2);
  });
});

describe('tokens per minute', () => {
  it('reserves an estimate, settles the real count, and refuses past the budget', async () => {
    const chat = (content: string, maxTokens: number) => ({
      model: 'ref-chat',
      messages: [{ role: 'user', content }],
      max_tokens: maxTokens,
      temperature: 0,
    });
    const post = (body: unknown) =>
      requestJson(`${tokensLimited.url}/v1/chat/completions`, { body, headers: bearer(alice) });
    // Stops early: the reservation of about 180 tokens (of 220) is mostly given back once 15 are counted.
    const short = await post(chat('Write a long answer.', 150));
    expect(short.status).toBe(200);
    expect(short.body.usage.total_tokens).toBeLessThan(30);
    expect(short.headers.get('x-ratelimit-limit-tokens')).toBe('220');
    expect(Number(short.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(50);
    expect(short.headers.get('x-ratelimit-limit-requests')).toBeNull();
    // Runs its whole budget: what it really used stays taken.
    const long = await post(chat('Tell me a long story about the sea.', 150));
    expect(long.status).toBe(200);
    expect(long.body.usage.completion_tokens).toBe(150);
    const refused = await post(chat('Write a long answer.', 150));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-reset-tokens')).not.toBeNull();
    expect(Number(refused.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(60);
  });
});

describe('aiaas serve flags', () => {
  it('reads --requests-per-minute, --tokens-per-minute and --chaos-rate', () => {
    expect(
      parseServeArguments([
        '--requests-per-minute',
        '60',
        '--tokens-per-minute',
        '9000',
        '--chaos-rate',
        '0.25',
      ]),
    ).toMatchObject({ rateLimits: { requestsPerMinute: 60, tokensPerMinute: 9000 }, chaosRate: 0.25 });
    expect(() => parseServeArguments(['--requests-per-minute', '0'])).toThrow(/--requests-per-minute/);
    expect(() => parseServeArguments(['--chaos-rate', '2'])).toThrow(/--chaos-rate/);
  });
});
