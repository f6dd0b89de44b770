/**
 * Just enough of the protobuf wire format to write and read ONNX models without a protobuf
 * library (the server ships none). Writing builds each message as a list of byte chunks; a field
 * number below 16 and the fields we write keep every tag to one byte or two.
 */

type Chunk = Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function varintBytes(value: number): Chunk {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`protobuf: cannot write ${value} as a varint`);
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function concat(chunks: readonly Chunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const tag = (field: number, wireType: number): Chunk => varintBytes(field * 8 + wireType);

/** A message's bytes from its fields, in the order given (protobuf writers emit field-number order). */
export function message(...fields: readonly (Chunk | readonly Chunk[])[]): Uint8Array {
  return concat(fields.flat());
}

export function varintField(field: number, value: number): Chunk {
  return concat([tag(field, 0), varintBytes(value)]);
}

export function bytesField(field: number, bytes: Uint8Array): Chunk {
  return concat([tag(field, 2), varintBytes(bytes.length), bytes]);
}

export function stringField(field: number, text: string): Chunk {
  return bytesField(field, encoder.encode(text));
}

/** A repeated integer field, packed into one length-delimited value. */
export function packedVarintField(field: number, values: readonly number[]): Chunk {
  return bytesField(field, concat(values.map(varintBytes)));
}

/** A repeated int64 field, packed; negative values take ten bytes (two's complement), as protobuf writes them. */
export function packedInt64Field(field: number, values: readonly number[]): Chunk {
  const bytes: number[] = [];
  for (const value of values) {
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
  }
  return bytesField(field, Uint8Array.from(bytes));
}

/** Float32 values as little-endian bytes (ONNX raw_data, float_data). */
export function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index]!, true);
  return bytes;
}

export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0)
    throw new RangeError(`protobuf: ${bytes.length} bytes are not whole float32 values`);
  const values = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let index = 0; index < values.length; index++) values[index] = view.getFloat32(index * 4, true);
  return values;
}

/** One field read back: a varint's number, or the bytes of a length-delimited or fixed-width value. */
export interface WireField {
  field: number;
  wireType: number;
  value: number | Uint8Array;
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** Up to 10 bytes (a negative int64 takes all ten); beyond 2^53 the number is approximate. */
  varint(): number {
    let value = 0;
    for (let index = 0, scale = 1; index < 10; index++, scale *= 0x80) {
      if (this.offset >= this.bytes.length) throw new RangeError('protobuf: a varint runs past the end');
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
    }
    throw new RangeError('protobuf: a varint is longer than 10 bytes');
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length)
      throw new RangeError(`protobuf: a ${length}-byte value at byte ${this.offset} runs past the end`);
    this.offset += length;
    return this.bytes.subarray(this.offset - length, this.offset);
  }
}

/** Every field of one message, in order. Throws a RangeError for bytes that are not protobuf. */
export function readFields(bytes: Uint8Array): WireField[] {
  const reader = new Reader(bytes);
  const fields: WireField[] = [];
  while (reader.offset < bytes.length) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) fields.push({ field, wireType, value: reader.varint() });
    else if (wireType === 1) fields.push({ field, wireType, value: reader.take(8) });
    else if (wireType === 2) fields.push({ field, wireType, value: reader.take(reader.varint()) });
    else if (wireType === 5) fields.push({ field, wireType, value: reader.take(4) });
    else throw new RangeError(`protobuf: unsupported wire type ${wireType} at byte ${reader.offset}`);
  }
  return fields;
}

/** A repeated integer field's values, whether packed (one length-delimited value) or not. */
export function varints(fields: readonly WireField[], field: number): number[] {
  return fields
    .filter((entry) => entry.field === field)
    .flatMap((entry) => {
      if (typeof entry.value === 'number') return [entry.value];
      const reader = new Reader(entry.value);
      const values: number[] = [];
      while (reader.offset < entry.value.length) values.push(reader.varint());
      return values;
    });
}

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
