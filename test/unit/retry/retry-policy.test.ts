import { describe, expect, it } from 'vitest';
import { apiErrorFor, ConnectionError } from '../../../src/errors/index.js';
import { defaultRetryPolicy } from '../../../src/retry/index.js';
import { seededRandom } from './seeded-random.js';

describe('defaultRetryPolicy', () => {
  it('waits what the server asked when it asked, otherwise a jittered backoff', () => {
    const policy = defaultRetryPolicy({ baseDelay: 100, maxDelay: 1_000 });
    const limited = apiErrorFor('slow down', { status: 429, headers: { 'retry-after-ms': '1500' } });
    expect(policy.delay(limited, 1, () => 0.5)).toBe(1500);
    const down = apiErrorFor('down', { status: 503 });
    expect(policy.delay(down, 1, () => 0.5)).toBe(50);
    expect(policy.delay(down, 3, () => 0.5)).toBe(200);
    expect(policy.delay(new ConnectionError('reset'), 10, () => 0.5)).toBe(500);
  });

  it('gives the same delays for the same seed', () => {
    const policy = defaultRetryPolicy();
    const down = apiErrorFor('down', { status: 503 });
    const first = [1, 2, 3].map((attempt) => policy.delay(down, attempt, seededRandom(7)));
    const second = [1, 2, 3].map((attempt) => policy.delay(down, attempt, seededRandom(7)));
    expect(first).toEqual(second);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('stops with server-delay-too-long when the server asks for more than maxRetryDelay (default 60 s)', () => {
    const policy = defaultRetryPolicy();
    const twoMinutes = apiErrorFor('slow down', { status: 429, headers: { 'retry-after': '120' } });
    expect(policy.shouldRetry(twoMinutes, 1)).toEqual({
      retry: false,
      reason: 'server-delay-too-long',
      explanation: 'the server asked to wait 120000 ms before retrying, more than maxRetryDelay (60000 ms)',
    });
    const oneMinute = apiErrorFor('slow down', { status: 429, headers: { 'retry-after': '60' } });
    expect(policy.shouldRetry(oneMinute, 1)).toMatchObject({ retry: true });
    const strict = defaultRetryPolicy({ maxRetryDelay: 1_000 });
    expect(strict.shouldRetry(oneMinute, 1)).toMatchObject({ retry: false, reason: 'server-delay-too-long' });
  });

  it('reads a retry-after HTTP date with the injected clock', () => {
    const now = () => Date.parse('2025-03-01T12:00:00Z');
    const policy = defaultRetryPolicy({ now, maxRetryDelay: 10_000 });
    const soon = apiErrorFor('x', {
      status: 503,
      headers: { 'retry-after': 'Sat, 01 Mar 2025 12:00:05 GMT' },
    });
    const late = apiErrorFor('x', {
      status: 503,
      headers: { 'retry-after': 'Sat, 01 Mar 2025 12:01:00 GMT' },
    });
    expect(policy.delay(soon, 1, Math.random)).toBe(5_000);
    expect(policy.shouldRetry(late, 1)).toMatchObject({ retry: false, reason: 'server-delay-too-long' });
  });

  it('says why an error is not retryable', () => {
    const policy = defaultRetryPolicy();
    expect(policy.shouldRetry(apiErrorFor('bad', { status: 400 }), 1)).toEqual({
      retry: false,
      reason: 'not-retryable',
      explanation: 'the server answered 400, which a retry cannot fix',
    });
  });

  it('rejects invalid settings when it is built, not on the first failure', () => {
    expect(() => defaultRetryPolicy({ baseDelay: -1 })).toThrow(RangeError);
    expect(() => defaultRetryPolicy({ maxRetryDelay: -1 })).toThrow(/maxRetryDelay/);
  });
});
