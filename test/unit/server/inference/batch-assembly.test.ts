import { describe, expect, it } from 'vitest';
import {
  batchCompatibilityKey,
  batchRowsOf,
  concatenateFeeds,
  splitOutputs,
} from '../../../../src/server/inference/batch-assembly.js';
import type { TensorValue } from '../../../../src/server/inference/tensor-value.js';

const ids = (rows: number[][]): TensorValue => ({
  type: 'int64',
  dims: [rows.length, rows[0]!.length],
  data: BigInt64Array.from(rows.flat().map(BigInt)),
});

describe('batchRowsOf', () => {
  it('is the common first dimension, or undefined when feeds cannot join a batch', () => {
    const floats = (dims: number[]): TensorValue => ({ type: 'float32', dims, data: new Float32Array(0) });
    expect(batchRowsOf({ a: floats([3, 2]), b: floats([3]) })).toBe(3);
    expect(batchRowsOf({ a: floats([3, 2]), b: floats([2, 2]) })).toBeUndefined();
    expect(batchRowsOf({ a: floats([]) })).toBeUndefined();
    expect(batchRowsOf({ a: floats([0, 4]) })).toBeUndefined();
  });
});

describe('batchCompatibilityKey', () => {
  const floats = (dims: number[]): TensorValue => ({ type: 'float32', dims, data: new Float32Array(0) });

  it('ignores the batch axis and, for padded inputs, the sequence axis', () => {
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], undefined)).toBe(
      batchCompatibilityKey({ x: floats([7, 4]) }, ['y'], undefined),
    );
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], undefined)).not.toBe(
      batchCompatibilityKey({ x: floats([1, 5]) }, ['y'], undefined),
    );
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], { x: 0 })).toBe(
      batchCompatibilityKey({ x: floats([2, 9]) }, ['y'], { x: 0 }),
    );
  });

  it('separates other outputs, types and padding', () => {
    const base = batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], undefined);
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['z'], undefined)).not.toBe(base);
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, undefined, undefined)).not.toBe(base);
    const doubles: TensorValue = { type: 'float64', dims: [1, 4], data: new Float64Array(4) };
    expect(batchCompatibilityKey({ x: doubles }, ['y'], undefined)).not.toBe(base);
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], { x: 1 })).not.toBe(
      batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], { x: 0 }),
    );
  });

  it('gives a reused padding object the key of its values at the time, frozen or not', () => {
    const frozen = Object.freeze({ x: 0 });
    const mutable: Record<string, number> = { x: 0 };
    const first = batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], frozen);
    expect(batchCompatibilityKey({ x: floats([3, 8]) }, ['y'], frozen)).toBe(first);
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], mutable)).toBe(first);
    mutable.x = 1;
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], mutable)).toBe(
      batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], { x: 1 }),
    );
    expect(batchCompatibilityKey({ x: floats([1, 4]) }, ['y'], mutable)).not.toBe(first);
  });
});

describe('concatenateFeeds', () => {
  it('stacks rows along the batch axis in request order', () => {
    const first: TensorValue = { type: 'float32', dims: [1, 2], data: Float32Array.from([1, 2]) };
    const second: TensorValue = { type: 'float32', dims: [2, 2], data: Float32Array.from([3, 4, 5, 6]) };
    const feeds = concatenateFeeds(
      [
        { feeds: { x: first }, rows: 1 },
        { feeds: { x: second }, rows: 2 },
      ],
      undefined,
    );
    expect(feeds.x!.dims).toEqual([3, 2]);
    expect([...(feeds.x!.data as Float32Array)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('right-pads the sequence axis of padded inputs to the longest request', () => {
    const feeds = concatenateFeeds(
      [
        { feeds: { input_ids: ids([[7, 8]]), attention_mask: ids([[1, 1]]) }, rows: 1 },
        {
          feeds: { input_ids: ids([[1, 2, 3, 4]]), attention_mask: ids([[1, 1, 1, 1]]) },
          rows: 1,
        },
      ],
      { input_ids: 99, attention_mask: 0 },
    );
    expect(feeds.input_ids!.dims).toEqual([2, 4]);
    expect([...(feeds.input_ids!.data as BigInt64Array)]).toEqual([7n, 8n, 99n, 99n, 1n, 2n, 3n, 4n]);
    expect([...(feeds.attention_mask!.data as BigInt64Array)]).toEqual([1n, 1n, 0n, 0n, 1n, 1n, 1n, 1n]);
  });

  it('keeps string tensors as strings', () => {
    const text = (values: string[]): TensorValue => ({ type: 'string', dims: [values.length], data: values });
    const feeds = concatenateFeeds(
      [
        { feeds: { s: text(['a']) }, rows: 1 },
        { feeds: { s: text(['b', 'c']) }, rows: 2 },
      ],
      undefined,
    );
    expect(feeds.s!.data).toEqual(['a', 'b', 'c']);
  });
});

describe('splitOutputs', () => {
  it('cuts each output back into the rows of each request', () => {
    const outputs = {
      y: { type: 'float32' as const, dims: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      p: { type: 'float32' as const, dims: [3], data: Float32Array.from([7, 8, 9]) },
    };
    const parts = splitOutputs(outputs, [2, 1])!;
    expect(parts[0]!.y!.dims).toEqual([2, 2]);
    expect([...(parts[0]!.y!.data as Float32Array)]).toEqual([1, 2, 3, 4]);
    expect([...(parts[1]!.y!.data as Float32Array)]).toEqual([5, 6]);
    expect([...(parts[1]!.p!.data as Float32Array)]).toEqual([9]);
  });

  it('is undefined when an output does not have one row per batch row', () => {
    const outputs = { total: { type: 'float32' as const, dims: [1], data: Float32Array.from([3]) } };
    expect(splitOutputs(outputs, [1, 2])).toBeUndefined();
  });
});
