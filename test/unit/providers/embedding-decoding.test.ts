import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/index.js';
import { decodeEmbedding } from '../../../src/providers/embedding-decoding.js';

function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

describe('decodeEmbedding', () => {
  it('turns floats into a Float32Array', () => {
    const vector = decodeEmbedding([0.5, -1, 2], 'data.0.embedding');
    expect(vector).toBeInstanceOf(Float32Array);
    expect(Array.from(vector)).toEqual([0.5, -1, 2]);
  });

  it('decodes base64 little-endian float32 exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 64 }), (values) => {
        const original = Float32Array.from(values);
        expect(Array.from(decodeEmbedding(toBase64(original), 'data.0.embedding'))).toEqual(
          Array.from(original),
        );
      }),
    );
  });

  it('rejects base64 whose length is not a multiple of four bytes', () => {
    const call = () =>
      decodeEmbedding(Buffer.from([1, 2, 3]).toString('base64'), 'data.2.embedding', 'req-3');
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/data\.2\.embedding: base64 embedding has 3 bytes.*request id req-3/);
  });
});
