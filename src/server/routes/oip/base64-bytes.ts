/** Each byte's 6-bit value in the standard base64 alphabet; 255 for every other byte. */
const sextets = new Uint8Array(256).fill(255);
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let index = 0; index < alphabet.length; index += 1) sextets[alphabet.charCodeAt(index)] = index;
const paddingByte = 0x3d;

/**
 * The bytes that standard base64 text (as ASCII bytes) stands for, or undefined if it is not
 * strictly that: a length divisible by 4, only the 64 letters of the standard alphabet, and `=`
 * only as one or two padding bytes at the end. Decoded from bytes to bytes, so megabytes of base64
 * never become a string (which cost a large allocation and its page faults per step), into memory
 * `allocate` gives (default: a new array).
 *
 * @example
 * decodeBase64Bytes(Buffer.from('CAg=')); // Uint8Array [8, 8]
 */
export function decodeBase64Bytes(
  text: Uint8Array,
  allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Uint8Array | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  const padding =
    length === 0 ? 0 : text[length - 1] !== paddingByte ? 0 : text[length - 2] !== paddingByte ? 1 : 2;
  // Every byte of it is written below: memory that held other bytes is fine.
  const output = allocate((length / 4) * 3 - padding);
  const fullGroupsEnd = padding === 0 ? length : length - 4;
  const table = sextets;
  let invalid = 0;
  let written = 0;
  for (let read = 0; read < fullGroupsEnd; read += 4) {
    const a = table[text[read]!]!;
    const b = table[text[read + 1]!]!;
    const c = table[text[read + 2]!]!;
    const d = table[text[read + 3]!]!;
    // 255 has bit 6 set, no sextet does: one OR per group instead of four branches.
    invalid |= a | b | c | d;
    output[written] = (a << 2) | (b >> 4);
    output[written + 1] = ((b & 15) << 4) | (c >> 2);
    output[written + 2] = ((c & 3) << 6) | d;
    written += 3;
  }
  if (padding > 0) {
    const a = table[text[length - 4]!]!;
    const b = table[text[length - 3]!]!;
    const c = padding === 1 ? table[text[length - 2]!]! : 0;
    invalid |= a | b | c;
    output[written] = (a << 2) | (b >> 4);
    if (padding === 1) output[written + 1] = ((b & 15) << 4) | (c >> 2);
  }
  return (invalid & 64) === 0 ? output : undefined;
}
