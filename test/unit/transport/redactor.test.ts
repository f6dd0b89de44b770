import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/transport/redactor.js';

describe('createRedactor', () => {
  const redactor = createRedactor(['sk-abc-123456', undefined, null, 'ab']);

  it('masks credential headers whatever their case, and the key inside other headers', () => {
    const headers = redactor.headers({
      Authorization: 'Bearer sk-abc-123456',
      'api-key': 'anything',
      'X-Api-Key': 'anything',
      'x-echo': 'key=sk-abc-123456',
      accept: 'application/json',
    });
    expect(headers).toEqual({
      Authorization: '[redacted]',
      'api-key': '[redacted]',
      'X-Api-Key': '[redacted]',
      'x-echo': 'key=[redacted]',
      accept: 'application/json',
    });
  });

  it('masks bearer tokens it was not told about', () => {
    expect(redactor.text('sent Authorization: Bearer other-token.x_y')).toBe(
      'sent Authorization: Bearer [redacted]',
    );
  });

  it('ignores secrets too short to be keys, so ordinary text survives', () => {
    expect(redactor.text('about ab and abc')).toBe('about ab and abc');
  });

  it('redacts deeply nested values and sensitive keys', () => {
    const value = redactor.value({ list: [{ note: 'x sk-abc-123456 y' }], authorization: 'zzz', count: 3 });
    expect(value).toEqual({ list: [{ note: 'x [redacted] y' }], authorization: '[redacted]', count: 3 });
  });

  it('never leaves the key in any text that contains it (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(redactor.text(`${before}sk-abc-123456${after}`)).not.toContain('sk-abc-123456');
      }),
    );
  });
});
