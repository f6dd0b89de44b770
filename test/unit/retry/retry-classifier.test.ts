import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AiaasError,
  apiErrorFor,
  BudgetExceededError,
  ConnectionError,
  StreamError,
  TimeoutError,
  UnpricedModelError,
  ValidationError,
} from '../../../src/errors/index.js';
import { classifyForRetry } from '../../../src/retry/index.js';

function expectedForStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

describe('classifyForRetry', () => {
  it('retries exactly 408, 409, 429 and every 5xx among all statuses 400-599', () => {
    for (let status = 400; status <= 599; status++) {
      const verdict = classifyForRetry(apiErrorFor(`status ${status}`, { status }));
      expect({ status, retryable: verdict.retryable }).toEqual({
        status,
        retryable: expectedForStatus(status),
      });
    }
  });

  it.each([
    ['idempotency_key_reused', false],
    ['IDEMPOTENCY_MISMATCH', false],
    ['conflict', true],
  ])('a 409 with code %s is retryable: %s', (code, retryable) => {
    const onError = apiErrorFor('conflict', { status: 409, code });
    const inBody = apiErrorFor('conflict', { status: 409, body: { error: { message: 'x', code } } });
    expect(classifyForRetry(onError).retryable).toBe(retryable);
    expect(classifyForRetry(inBody).retryable).toBe(retryable);
  });

  it('x-should-retry overrides the status rule both ways, even for an idempotency conflict', () => {
    const no = apiErrorFor('down', { status: 503, headers: { 'x-should-retry': 'false' } });
    const yes = apiErrorFor('bad', { status: 400, headers: { 'x-should-retry': 'true' } });
    const conflict = apiErrorFor('reused', {
      status: 409,
      code: 'idempotency_key_reused',
      headers: { 'x-should-retry': 'TRUE' },
    });
    const nonsense = apiErrorFor('down', { status: 503, headers: { 'x-should-retry': 'maybe' } });
    expect(classifyForRetry(no)).toEqual({
      retryable: false,
      explanation: expect.stringContaining('x-should-retry: false'),
    });
    expect(classifyForRetry(yes).retryable).toBe(true);
    expect(classifyForRetry(conflict).retryable).toBe(true);
    expect(classifyForRetry(nonsense).retryable).toBe(true);
  });

  it.each([
    [
      'a connection error before a socket',
      new ConnectionError('refused', { phase: 'connect', code: 'ECONNREFUSED' }),
      true,
    ],
    ['a connection cut mid-body (terminated)', new ConnectionError('terminated', { phase: 'body' }), true],
    ['a connect timeout', new TimeoutError('slow', { phase: 'connect', timeoutMs: 10 }), true],
    ['a headers timeout', new TimeoutError('slow', { phase: 'headers', timeoutMs: 10 }), true],
    ['a body timeout', new TimeoutError('slow', { phase: 'body', timeoutMs: 10 }), false],
    ['a caller abort', new AbortError(), false],
    [
      'a budget error',
      new BudgetExceededError('over', { scope: 'day', limit: '1 USD', attempted: '2 USD' }),
      false,
    ],
    ['a validation error', new ValidationError('bad', { issues: [], subject: 'response' }), false],
    ['an unpriced model', new UnpricedModelError('ref-chat'), false],
    ['a plain AiaasError marked retryable', new AiaasError('x', { retryable: true }), true],
    ['a plain AiaasError', new AiaasError('x'), false],
    ['a foreign Error', new Error('boom'), false],
    ['a thrown string', 'boom', false],
  ])('%s → retryable %s', (_name, error, retryable) => {
    expect(classifyForRetry(error).retryable).toBe(retryable);
  });

  it('retries a stream-phase error only when the stream had not yielded an event', () => {
    const before = Object.assign(new TimeoutError('first token', { phase: 'stream', timeoutMs: 5 }), {
      eventsReceived: 0,
    });
    const after = Object.assign(new TimeoutError('idle', { phase: 'stream', timeoutMs: 5 }), {
      eventsReceived: 3,
    });
    const noHint = new ConnectionError('cut', { phase: 'stream' });
    const emptyPartial = new StreamError('cut', { partial: [], retryable: true });
    const someText = new StreamError('cut', { partial: ['Hel'], retryable: true });
    const malformed = new StreamError('garbage', { partial: [] });
    const failedResume = new StreamError('resume failed', { retryable: true, lastEventId: '4' });
    expect(classifyForRetry(before).retryable).toBe(true);
    expect(classifyForRetry(after).retryable).toBe(false);
    expect(classifyForRetry(noHint).retryable).toBe(false);
    expect(classifyForRetry(emptyPartial).retryable).toBe(true);
    expect(classifyForRetry(someText).retryable).toBe(false);
    expect(classifyForRetry(malformed).retryable).toBe(false);
    expect(classifyForRetry(failedResume).retryable).toBe(false);
  });

  it('does not retry an error another runner already gave up on', () => {
    const error = apiErrorFor('down', { status: 503 });
    Object.assign(error, { retryStopReason: 'max-retries', attempts: 3 });
    expect(classifyForRetry(error)).toEqual({
      retryable: false,
      explanation: expect.stringContaining('already gave up'),
    });
  });
});
