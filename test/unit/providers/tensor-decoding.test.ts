import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/index.js';
import { decodeInferResponse, decodeOutputTensor } from '../../../src/providers/oip/tensor-decoding.js';

describe('decodeOutputTensor', () => {
  it('decodes each datatype to its typed array', () => {
    const cases = [
      ['FP32', [1.5, 2.5], Float32Array],
      ['FP64', [1.5, 2.5], Float64Array],
      ['FP16', [1.5, 2.5], Float32Array],
      ['BF16', [1.5, 2.5], Float32Array],
      ['INT8', [-1, 2], Int8Array],
      ['INT16', [-1, 2], Int16Array],
      ['INT32', [-1, 2], Int32Array],
      ['UINT8', [1, 2], Uint8Array],
      ['UINT16', [1, 2], Uint16Array],
      ['UINT32', [1, 2], Uint32Array],
      ['INT64', [-1, 2], BigInt64Array],
      ['UINT64', [1, 2], BigUint64Array],
    ] as const;
    for (const [datatype, data, arrayClass] of cases) {
      const tensor = decodeOutputTensor({ name: 'out', datatype, shape: [2], data: [...data] }, 'outputs.0');
      expect(tensor.datatype).toBe(datatype);
      expect(tensor.data).toBeInstanceOf(arrayClass);
      expect(tensor.data.length).toBe(2);
    }
    const int64 = decodeOutputTensor(
      { name: 'ids', datatype: 'INT64', shape: [2], data: [-1, 2] },
      'outputs.0',
    );
    expect(Array.from(int64.data as BigInt64Array)).toEqual([-1n, 2n]);
  });

  it('flattens nested row-major data and keeps the shape', () => {
    const tensor = decodeOutputTensor(
      {
        name: 'p',
        datatype: 'FP32',
        shape: [2, 2],
        data: [
          [0.25, 0.75],
          [1, 0],
        ],
      },
      'outputs.0',
    );
    expect(tensor.shape).toEqual([2, 2]);
    expect(Array.from(tensor.data as Float32Array)).toEqual([0.25, 0.75, 1, 0]);
  });

  it('decodes BOOL (booleans or 0/1) and BYTES', () => {
    const flags = decodeOutputTensor(
      { name: 'f', datatype: 'BOOL', shape: [3], data: [true, 0, 1] },
      'outputs.0',
    );
    expect(flags.data).toEqual([true, false, true]);
    const labels = decodeOutputTensor(
      { name: 'l', datatype: 'BYTES', shape: [2], data: ['pos', 'neg'] },
      'outputs.1',
    );
    expect(labels.data).toEqual(['pos', 'neg']);
  });

  it('rejects an element count that does not match the shape, naming the path and request id', () => {
    const call = () =>
      decodeOutputTensor({ name: 'p', datatype: 'FP32', shape: [1, 3], data: [1, 2] }, 'outputs.1', 'req-7');
    expect(call).toThrow(ValidationError);
    expect(call).toThrow('outputs.1.data: shape [1, 3] needs 3 elements, got 2 (request id req-7)');
  });

  it('rejects values of the wrong type for the datatype', () => {
    expect(() =>
      decodeOutputTensor({ name: 'p', datatype: 'INT64', shape: [1], data: [1.5] }, 'outputs.0'),
    ).toThrow(/outputs\.0\.data\.0: expected an integer/);
    expect(() =>
      decodeOutputTensor({ name: 'p', datatype: 'FP32', shape: [1], data: ['x'] }, 'outputs.0'),
    ).toThrow(/expected a number/);
    expect(() =>
      decodeOutputTensor({ name: 'p', datatype: 'BYTES', shape: [1], data: [3] }, 'outputs.0'),
    ).toThrow(/expected a string/);
  });

  it('decodes a whole response, keeping the model name and version', () => {
    const result = decodeInferResponse({
      model_name: 'ref-classify',
      model_version: '1',
      id: 'abc',
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.1, 0.9] }],
    });
    expect(result.model_name).toBe('ref-classify');
    expect(result.model_version).toBe('1');
    expect(result.id).toBe('abc');
    expect(result.outputs[0]?.data).toBeInstanceOf(Float32Array);
  });
});
