import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import {
  decodeInferInput,
  encodeInferOutput,
  flattenTensorData,
} from '../../../../../src/server/routes/oip/tensor-codec.js';

function statusOf(attempt: () => unknown): number | undefined {
  try {
    attempt();
  } catch (error) {
    return error instanceof HttpError ? error.status : -1;
  }
  return undefined;
}

describe('tensor codec', () => {
  it('flattens nested data row-major, even when deeply nested', () => {
    expect(
      flattenTensorData([
        [1, 2],
        [3, [4, 5]],
      ]),
    ).toEqual([1, 2, 3, 4, 5]);
    let deep: unknown = 7;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(flattenTensorData(deep as number[])).toEqual([7]);
  });

  it('decodes each datatype to its onnxruntime storage', () => {
    const decode = (datatype: string, data: unknown[]) =>
      decodeInferInput(
        { name: 'x', shape: [data.length], datatype: datatype as 'FP32', data: data as number[] },
        'inputs.0',
      );
    expect(decode('INT64', [1, -2]).data).toEqual(BigInt64Array.of(1n, -2n));
    expect(decode('UINT64', [3]).data).toEqual(BigUint64Array.of(3n));
    expect(decode('BOOL', [true, false, 1]).data).toEqual(Uint8Array.of(1, 0, 1));
    expect(decode('FP16', [1, -2]).data).toEqual(Uint16Array.of(0x3c00, 0xc000));
    expect(decode('BYTES', ['a', 'b']).data).toEqual(['a', 'b']);
    expect(decode('INT8', [-128, 127]).type).toBe('int8');
  });

  it('refuses element counts that disagree with the shape, out-of-range integers, wrong kinds and BF16', () => {
    expect(
      statusOf(() =>
        decodeInferInput({ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3] }, 'inputs.0'),
      ),
    ).toBe(400);
    expect(
      statusOf(() => decodeInferInput({ name: 'x', shape: [1], datatype: 'UINT8', data: [256] }, 'inputs.0')),
    ).toBe(400);
    expect(
      statusOf(() => decodeInferInput({ name: 'x', shape: [1], datatype: 'INT32', data: [1.5] }, 'inputs.0')),
    ).toBe(400);
    expect(
      statusOf(() => decodeInferInput({ name: 'x', shape: [1], datatype: 'FP32', data: ['1'] }, 'inputs.0')),
    ).toBe(400);
    expect(
      statusOf(() => decodeInferInput({ name: 'x', shape: [1], datatype: 'BYTES', data: [1] }, 'inputs.0')),
    ).toBe(400);
    expect(
      statusOf(() => decodeInferInput({ name: 'x', shape: [1], datatype: 'BF16', data: [1] }, 'inputs.0')),
    ).toBe(400);
  });

  it('encodes outputs as flat JSON with OIP datatypes', () => {
    expect(encodeInferOutput('p', { type: 'float32', dims: [1, 2], data: Float32Array.of(0.5, 1) })).toEqual({
      name: 'p',
      datatype: 'FP32',
      shape: [1, 2],
      data: [0.5, 1],
    });
    expect(encodeInferOutput('b', { type: 'bool', dims: [2], data: Uint8Array.of(1, 0) }).data).toEqual([
      true,
      false,
    ]);
    expect(encodeInferOutput('h', { type: 'float16', dims: [1], data: Uint16Array.of(0x3800) }).data).toEqual(
      [0.5],
    );
    expect(encodeInferOutput('i', { type: 'int64', dims: [1], data: BigInt64Array.of(-5n) })).toMatchObject({
      datatype: 'INT64',
      data: [-5],
    });
    expect(encodeInferOutput('s', { type: 'string', dims: [1], data: ['hé'] }).datatype).toBe('BYTES');
  });
});
