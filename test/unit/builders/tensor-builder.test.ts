import { describe, expect, it } from 'vitest';
import { tensor } from '../../../src/builders/tensor-builder.js';
import { ValidationError } from '../../../src/errors/index.js';
import { inferInputSchema } from '../../../src/wire/oip/oip-schemas.js';

describe('tensor builder', () => {
  it('maps every typed array to its OIP datatype', () => {
    const cases = [
      [new Float32Array([1.5]), 'FP32'],
      [new Float64Array([1.5]), 'FP64'],
      [new Int8Array([-1]), 'INT8'],
      [new Int16Array([-1]), 'INT16'],
      [new Int32Array([-1]), 'INT32'],
      [new Uint8Array([1]), 'UINT8'],
      [new Uint8ClampedArray([1]), 'UINT8'],
      [new Uint16Array([1]), 'UINT16'],
      [new Uint32Array([1]), 'UINT32'],
      [new BigInt64Array([-5n]), 'INT64'],
      [new BigUint64Array([5n]), 'UINT64'],
      [[true], 'BOOL'],
      [['text'], 'BYTES'],
    ] as const;
    for (const [data, datatype] of cases) {
      const input = tensor('x', data);
      expect(input.datatype).toBe(datatype);
      expect(input.shape).toEqual([1]);
      expect(inferInputSchema.safeParse(input).success).toBe(true);
    }
  });

  it('writes JSON-safe data: bigints as numbers, floats as numbers', () => {
    expect(tensor('ids', new BigInt64Array([-3n, 9007199254740991n])).data).toEqual([-3, 9007199254740991]);
    expect(tensor('x', new Float32Array([0.5, 2])).data).toEqual([0.5, 2]);
    expect(JSON.stringify(tensor('b', [true, false]))).toBe(
      '{"name":"b","datatype":"BOOL","shape":[2],"data":[true,false]}',
    );
  });

  it('refuses bigints outside the safe integer range', () => {
    expect(() => tensor('ids', new BigInt64Array([1n, 2n ** 60n]))).toThrow(
      /data\.1: 1152921504606846976 is outside the safe integer range/,
    );
    expect(() => tensor('ids', new BigUint64Array([2n ** 64n - 1n]))).toThrow(ValidationError);
  });

  it('checks the shape against the element count', () => {
    expect(tensor('input', new Float32Array(200), [2, 100]).shape).toEqual([2, 100]);
    expect(() => tensor('input', new Float32Array(199), [2, 100])).toThrow(
      'Invalid tensor: shape: shape [2, 100] needs 200 elements, but the data has 199',
    );
    expect(() => tensor('input', new Float32Array(2), [2, -1])).toThrow(/shape\.1/);
    expect(tensor('empty', new Float32Array(0), [0, 100]).shape).toEqual([0, 100]);
  });

  it('rejects unnamed tensors, empty plain arrays, number arrays and mixed arrays', () => {
    expect(() => tensor('', new Float32Array(1))).toThrow(/name/);
    expect(() => tensor('x', [] as string[])).toThrow(/empty array/);
    expect(() => tensor('x', [1, 2] as unknown as string[])).toThrow(/use a typed array/);
    expect(() => tensor('x', ['a', true] as unknown as string[])).toThrow(/data\.1: expected a string/);
  });
});
