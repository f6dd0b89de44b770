import { describe, expect, it } from 'vitest';
import {
  bytesField,
  float32Bytes,
  float32FromBytes,
  message,
  packedVarintField,
  readFields,
  stringField,
  text,
  varintField,
  varints,
} from '../../../../src/server/training/protobuf-wire.js';

describe('protobuf wire format', () => {
  it('writes varints, strings and nested messages that read back field by field', () => {
    const inner = message(varintField(1, 300), stringField(2, 'héllo'));
    const bytes = message(varintField(1, 8), bytesField(7, inner), packedVarintField(3, [1, 128, 2 ** 40]));
    // 300 is 0xac 0x02; field 1 varint has tag 0x08.
    expect([...varintField(1, 300)]).toEqual([0x08, 0xac, 0x02]);
    const fields = readFields(bytes);
    expect(fields.map((field) => [field.field, field.wireType])).toEqual([
      [1, 0],
      [7, 2],
      [3, 2],
    ]);
    expect(varints(fields, 3)).toEqual([1, 128, 2 ** 40]);
    const nested = readFields(fields[1]!.value as Uint8Array);
    expect(nested[0]!.value).toBe(300);
    expect(text(nested[1]!.value as Uint8Array)).toBe('héllo');
  });

  it('reads a negative int64 (ten bytes) and unpacked repeated values', () => {
    // -1 as an int64 varint: nine 0xff bytes and 0x01.
    const minusOne = Uint8Array.from([0x18, ...new Array(9).fill(0xff), 0x01]);
    const unpacked = message(varintField(1, 4), varintField(1, 5));
    expect(readFields(minusOne)[0]!.value).toBe(2 ** 64);
    expect(varints(readFields(unpacked), 1)).toEqual([4, 5]);
  });

  it('round-trips float32 values as little-endian bytes', () => {
    const values = Float32Array.from([0, -1.5, 3.4028234663852886e38, 1e-45, Number.NaN]);
    const bytes = float32Bytes(values);
    expect([...bytes.subarray(4, 8)]).toEqual([0x00, 0x00, 0xc0, 0xbf]);
    expect(Object.is(float32FromBytes(bytes)[4], Number.NaN)).toBe(true);
    expect([...float32FromBytes(bytes).subarray(0, 4)]).toEqual([...values.subarray(0, 4)]);
  });

  it('refuses truncated values, overlong varints and unknown wire types', () => {
    expect(() => readFields(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow(/runs past the end/);
    expect(() => readFields(Uint8Array.from([0x08, ...new Array(11).fill(0xff)]))).toThrow(
      /longer than 10 bytes/,
    );
    expect(() => readFields(Uint8Array.from([0x0b]))).toThrow(/wire type 3/);
    expect(() => float32FromBytes(new Uint8Array(3))).toThrow(/whole float32/);
  });
});
