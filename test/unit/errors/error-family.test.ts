import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AiaasError,
  APIError,
  AuthenticationError,
  apiErrorFor,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  StreamError,
  TimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from '../../../src/errors/index.js';
import { parseWire } from '../../../src/wire/index.js';

describe('error family', () => {
  it.each([
    [400, BadRequestError, false],
    [401, AuthenticationError, false],
    [403, PermissionDeniedError, false],
    [404, NotFoundError, false],
    [409, ConflictError, true],
    [422, UnprocessableEntityError, false],
    [429, RateLimitError, true],
    [500, InternalServerError, true],
    [503, InternalServerError, true],
  ] as const)('status %i maps to %o (retryable %s)', (status, errorClass, retryable) => {
    const error = apiErrorFor('boom', { status, requestId: 'req_1' });
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('req_1');
    expect(error.retryable).toBe(retryable);
    expect(error.name).toBe(errorClass.name);
  });

  it('an unlisted 4xx is a plain APIError', () => {
    const error = apiErrorFor('teapot', { status: 418 });
    expect(error.constructor).toBe(APIError);
    expect(error.retryable).toBe(false);
  });

  it('isInstance recognises the brand, even on an object from another copy of the package', () => {
    expect(AiaasError.isInstance(new TimeoutError('slow', { phase: 'headers', timeoutMs: 5 }))).toBe(true);
    expect(AiaasError.isInstance(new Error('plain'))).toBe(false);
    const foreignCopy = Object.assign(new Error('other copy'), { [Symbol.for('aiaas.error')]: true });
    expect(AiaasError.isInstance(foreignCopy)).toBe(true);
    expect(AiaasError.isInstance(null)).toBe(false);
  });

  it('a stream error keeps the partial output and is in the stream phase', () => {
    const error = new StreamError('cut', { partial: ['Hello wor'], lastEventId: '7' });
    expect(error.partial).toEqual(['Hello wor']);
    expect(error.phase).toBe('stream');
    expect(error.lastEventId).toBe('7');
  });
});

describe('parseWire', () => {
  const schema = z.object({ messages: z.array(z.object({ role: z.enum(['user', 'system']) })) });

  it('returns the parsed value when it matches', () => {
    expect(
      parseWire(schema, { messages: [{ role: 'user' }] }, { subject: 'request', what: 'chat request' }),
    ).toEqual({ messages: [{ role: 'user' }] });
  });

  it('names the failing path and the request id', () => {
    const attempt = () =>
      parseWire(
        schema,
        { messages: [{ role: 'user' }, { role: 'robot' }] },
        { subject: 'response', what: 'chat response', requestId: 'req_9' },
      );
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      const validation = error as ValidationError;
      expect(validation.path).toBe('messages.1.role');
      expect(validation.subject).toBe('response');
      expect(validation.message).toContain('messages.1.role');
      expect(validation.message).toContain('req_9');
      expect(validation.retryable).toBe(false);
    }
  });
});
