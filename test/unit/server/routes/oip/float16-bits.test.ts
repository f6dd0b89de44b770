import { describe, expect, it } from 'vitest';
import { float16BitsOf, float16Value } from '../../../../../src/server/routes/oip/float16-bits.js';

describe('float16 bits', () => {
  it('encodes well-known values', () => {
    expect(float16BitsOf(1)).toBe(0x3c00);
    expect(float16BitsOf(-2)).toBe(0xc000);
    expect(float16BitsOf(0.5)).toBe(0x3800);
    expect(float16BitsOf(65504)).toBe(0x7bff);
    expect(float16BitsOf(2 ** -24)).toBe(0x0001);
    expect(float16BitsOf(-0)).toBe(0x8000);
    expect(float16BitsOf(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(float16BitsOf(1e6)).toBe(0x7c00);
    expect(float16BitsOf(2 ** -26)).toBe(0);
    expect(float16Value(float16BitsOf(Number.NaN))).toBeNaN();
  });

  it('round-trips every finite half-precision value exactly', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const exponent = (bits >>> 10) & 0x1f;
      if (exponent === 0x1f && (bits & 0x3ff) !== 0) continue;
      if (float16BitsOf(float16Value(bits)) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds halfway cases to the even neighbour and others to the nearest', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x7bff; bits++) {
      const low = float16Value(bits);
      const high = float16Value(bits + 1);
      const middle = (low + high) / 2;
      const even = bits % 2 === 0 ? bits : bits + 1;
      const quarter = (high - low) / 8;
      if (
        float16BitsOf(middle) !== even ||
        float16BitsOf(middle + quarter) !== bits + 1 ||
        float16BitsOf(middle - quarter) !== bits
      ) {
        wrong.push(bits);
      }
    }
    expect(wrong).toEqual([]);
    // Halfway between the largest finite value and the next power of two rounds up to infinity.
    expect(float16BitsOf(65520)).toBe(0x7c00);
    expect(float16BitsOf(65519)).toBe(0x7bff);
  });
});
