import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IDEMPOTENCY_HEADER,
  idempotencyHeaders,
  needsIdempotencyKey,
  resolveIdempotencyKey,
} from '../../../src/retry/index.js';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idempotency keys', () => {
  it('gives every state-changing call a fresh UUID v4, and safe methods none', () => {
    const first = resolveIdempotencyKey('POST');
    const second = resolveIdempotencyKey('post');
    expect(first).toMatch(uuidV4);
    expect(second).toMatch(uuidV4);
    expect(first).not.toBe(second);
    expect(resolveIdempotencyKey('DELETE')).toMatch(uuidV4);
    expect(resolveIdempotencyKey('GET')).toBeUndefined();
    expect(resolveIdempotencyKey('HEAD')).toBeUndefined();
    expect(needsIdempotencyKey('PUT')).toBe(true);
    expect(needsIdempotencyKey('options')).toBe(false);
  });

  it("keeps the user's own key, and refuses an empty one", () => {
    expect(resolveIdempotencyKey('POST', 'order-42')).toBe('order-42');
    expect(() => resolveIdempotencyKey('POST', '  ')).toThrow(TypeError);
  });

  it('builds the header under the default or a custom name, and none for GET', () => {
    expect(DEFAULT_IDEMPOTENCY_HEADER).toBe('Idempotency-Key');
    expect(idempotencyHeaders('POST', 'k1')).toEqual({ 'Idempotency-Key': 'k1' });
    expect(idempotencyHeaders('POST', 'k1', 'X-Request-Key')).toEqual({ 'X-Request-Key': 'k1' });
    expect(idempotencyHeaders('GET', 'k1')).toEqual({});
    expect(idempotencyHeaders('POST', undefined)).toEqual({});
  });
});
