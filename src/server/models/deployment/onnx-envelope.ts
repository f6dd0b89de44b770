/** Top-level fields of ONNX's ModelProto: 1 ir_version and 7 graph are required. */
const modelProtoFields = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]);

interface Cursor {
  offset: number;
}

function readVarint(bytes: Uint8Array, cursor: Cursor): bigint | undefined {
  let value = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (cursor.offset >= bytes.length) return undefined;
    const byte = bytes[cursor.offset++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return value;
  }
  return undefined;
}

/** Skips one field's value; false when it runs past the end or has no valid wire type. */
function skipValue(bytes: Uint8Array, cursor: Cursor, wireType: number): boolean {
  if (wireType === 0) return readVarint(bytes, cursor) !== undefined;
  const width =
    wireType === 1 ? 8n : wireType === 5 ? 4n : wireType === 2 ? readVarint(bytes, cursor) : undefined;
  if (width === undefined || BigInt(cursor.offset) + width > BigInt(bytes.length)) return false;
  cursor.offset += Number(width);
  return true;
}

/**
 * Why `bytes` cannot be an ONNX model, checked on the protobuf envelope alone before
 * onnxruntime ever sees it: `undefined` when every top-level field is a ModelProto field that
 * fits in the file and both `ir_version` and `graph` are there. A file whose first field is
 * not ModelProto's is "not ONNX"; one that breaks off later is "truncated".
 *
 * @example
 * onnxEnvelopeProblem(new TextEncoder().encode('hello')); // 'is not an ONNX model: ...'
 */
export function onnxEnvelopeProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'is empty';
  const cursor: Cursor = { offset: 0 };
  const seen = new Set<number>();
  while (cursor.offset < bytes.length) {
    const start = cursor.offset;
    const tag = readVarint(bytes, cursor);
    const field = tag === undefined ? 0 : Number(tag >> 3n);
    const fits =
      tag !== undefined && modelProtoFields.has(field) && skipValue(bytes, cursor, Number(tag & 7n));
    if (fits) {
      seen.add(field);
      continue;
    }
    if (seen.size === 0) return 'is not an ONNX model: it does not start with a ModelProto field';
    return `is truncated or corrupt: the protobuf breaks off at byte ${start} of ${bytes.length}`;
  }
  if (!seen.has(7)) return 'is not an ONNX model: it has no graph';
  if (!seen.has(1)) return 'is not an ONNX model: it has no ir_version';
  return undefined;
}
