import fc from 'fast-check';

/** Byte-level damage a network or a broken proxy can do to a stream. */
export const byteMutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    // Invalid UTF-8 (lone continuation, overlong, cut sequence, 0xff), NUL, and stray line ends.
    bytes: fc.constantFrom([0xff], [0xc0, 0x80], [0xe2, 0x82], [0x80], [0x00], [0x0a, 0x0a], [0x0d]),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

export type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer Value> ? Value : never;

/** Applies one mutation; offsets wrap around the data, so any generated number is a valid place. */
export function mutateBytes(data: Uint8Array, change: ByteMutation): Uint8Array {
  const at = change.at % (data.length + 1);
  const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  switch (change.kind) {
    case 'insert':
      return join(data.subarray(0, at), Uint8Array.from(change.bytes), data.subarray(at));
    case 'delete':
      return join(data.subarray(0, at), data.subarray(at + change.length));
    case 'replace':
      return at === data.length
        ? data
        : join(data.subarray(0, at), Uint8Array.of(change.byte), data.subarray(at + 1));
    case 'duplicate':
      return join(data.subarray(0, at + change.length), data.subarray(at));
    case 'truncate':
      return data.subarray(0, at);
  }
}
