import { describe, expect, it } from 'vitest';
import { formatResetDuration } from '../../../../src/server/rate-limit/reset-duration.js';
import { TokenBucketRateLimiter } from '../../../../src/server/rate-limit/token-bucket-rate-limiter.js';

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('TokenBucketRateLimiter requests per minute', () => {
  it('admits the burst, refuses the next with retry headers, and refills continuously', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 3, now: time.now });
    const first = limiter.check('key_a', 0);
    expect(first).toMatchObject({ allowed: true, retryAfterMs: 0 });
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-reset-requests': '20s',
    });
    expect(limiter.check('key_a', 0).allowed).toBe(true);
    expect(limiter.check('key_a', 0).headers['x-ratelimit-remaining-requests']).toBe('0');

    const refused = limiter.check('key_a', 0);
    expect(refused.allowed).toBe(false);
    // One request refills in 60 s / 3 = 20 s.
    expect(refused.retryAfterMs).toBe(20_000);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.headers['retry-after-ms']).toBe('20000');
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('1m0s');

    time.state.now += 19_999;
    const early = limiter.check('key_a', 0);
    expect(early.allowed).toBe(false);
    expect(early.retryAfterMs).toBe(1);
    expect(early.headers['retry-after']).toBe('1'); // whole seconds, rounded up
    time.state.now += 1;
    expect(limiter.check('key_a', 0).allowed).toBe(true);
  });

  it('keeps tenants apart', () => {
    const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 1, now: clock().now });
    expect(limiter.check('key_a', 0).allowed).toBe(true);
    expect(limiter.check('key_a', 0).allowed).toBe(false);
    expect(limiter.check('key_b', 0).allowed).toBe(true);
  });

  it('does not take from the bucket when refusing', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 60, now: time.now });
    for (let index = 0; index < 60; index++) limiter.check('t', 0);
    for (let index = 0; index < 5; index++) expect(limiter.check('t', 0).allowed).toBe(false);
    time.state.now += 1000;
    expect(limiter.check('t', 0).allowed).toBe(true);
    expect(limiter.check('t', 0).allowed).toBe(false);
  });
});

describe('TokenBucketRateLimiter tokens per minute', () => {
  it('reserves the estimate, waits for the tokens that are missing, and reports both limits', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({
      requestsPerMinute: 100,
      tokensPerMinute: 6000,
      now: time.now,
    });
    const first = limiter.check('t', 5000);
    expect(first.allowed).toBe(true);
    expect(first.reservedTokens).toBe(5000);
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe('1000');
    expect(first.headers['x-ratelimit-limit-tokens']).toBe('6000');
    expect(first.headers['x-ratelimit-reset-tokens']).toBe('50s');

    const refused = limiter.check('t', 2000);
    expect(refused.allowed).toBe(false);
    // 1000 tokens are missing at 100 tokens per second.
    expect(refused.retryAfterMs).toBe(10_000);
    expect(refused.reservedTokens).toBe(0);
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('99');
  });

  it('corrects the estimate with the actual count, both ways', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ tokensPerMinute: 1000, now: time.now });
    const decision = limiter.check('t', 100);
    limiter.commitTokens('t', 400, decision.reservedTokens);
    expect(limiter.headers('t')['x-ratelimit-remaining-tokens']).toBe('600');
    const second = limiter.check('t', 500);
    limiter.commitTokens('t', 50, second.reservedTokens); // gives 450 back
    expect(limiter.headers('t')['x-ratelimit-remaining-tokens']).toBe('550');
  });

  it('lets an overrun become a debt that later requests wait out', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ tokensPerMinute: 600, now: time.now });
    const decision = limiter.check('t', 100);
    limiter.commitTokens('t', 1200, decision.reservedTokens); // 600 over budget
    expect(limiter.headers('t')['x-ratelimit-remaining-tokens']).toBe('0');
    const refused = limiter.check('t', 0);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(60_000); // 600 tokens of debt at 10 per second
    time.state.now += 60_000;
    expect(limiter.check('t', 0).allowed).toBe(true);
  });

  it('admits a request larger than the whole budget once the bucket is full', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ tokensPerMinute: 1000, now: time.now });
    const huge = limiter.check('t', 50_000);
    expect(huge.allowed).toBe(true);
    expect(huge.reservedTokens).toBe(1000);
    const next = limiter.check('t', 50_000);
    expect(next.allowed).toBe(false);
    expect(next.retryAfterMs).toBe(60_000);
  });

  it('omits headers of limits that are not configured and ignores commits without a token limit', () => {
    const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 10, now: clock().now });
    limiter.commitTokens('t', 1_000_000);
    const decision = limiter.check('t', 1_000_000);
    expect(decision.allowed).toBe(true);
    expect(Object.keys(decision.headers).sort()).toEqual([
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
    ]);
    expect(new TokenBucketRateLimiter().check('t', 5).headers).toEqual({});
  });

  it('does not drain when the clock steps back', () => {
    const time = clock();
    const limiter = new TokenBucketRateLimiter({ requestsPerMinute: 2, now: time.now });
    limiter.check('t', 0);
    time.state.now -= 30_000;
    expect(limiter.headers('t')['x-ratelimit-remaining-requests']).toBe('1');
  });

  it('rejects impossible limits', () => {
    expect(() => new TokenBucketRateLimiter({ requestsPerMinute: 0 })).toThrow(/requestsPerMinute/);
    expect(() => new TokenBucketRateLimiter({ tokensPerMinute: 1.5 })).toThrow(/tokensPerMinute/);
  });
});

describe('formatResetDuration', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [0.2, '1ms'],
    [17, '17ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [2345, '2.345s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [3_723_500, '1h2m3.5s'],
  ])('%s ms -> %s', (milliseconds, text) => {
    expect(formatResetDuration(milliseconds)).toBe(text);
  });
});
