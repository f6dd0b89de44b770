import { randomBytes } from 'node:crypto';
import { parseJsonBody } from '../../http/request-body.js';

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;

/** Where a long string value's content lies in the body, its quotes excluded. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A JSON body parsed with its long string values left as bytes in the body. */
export interface JsonWithLongStrings {
  value: unknown;
  /** The bytes of the long string that `text` stands in for, or undefined for any other value. */
  rangeOf(text: unknown): ByteRange | undefined;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index of the quote that ends the string whose content starts at `start`; -1 if none. */
function closingQuote(
  body: Uint8Array & { indexOf(byte: number, from: number): number },
  start: number,
): number {
  let candidate = body.indexOf(quote, start);
  while (candidate !== -1) {
    let backslashes = 0;
    while (body[candidate - 1 - backslashes] === backslash) backslashes += 1;
    if (backslashes % 2 === 0) return candidate;
    candidate = body.indexOf(quote, candidate + 1);
  }
  return -1;
}

/** True when JSON reads the bytes as they are: no escape and no control character in them. */
function isLiteral(body: Uint8Array, start: number, end: number): boolean {
  // Four bytes at a time where they are aligned (a model upload is megabytes of this).
  const firstWord = Math.min(end, start + ((4 - ((body.byteOffset + start) % 4)) % 4));
  const wordCount = Math.max(0, Math.floor((end - firstWord) / 4));
  if (!bytesAreLiteral(body, start, firstWord)) return false;
  const words = new Uint32Array(body.buffer, body.byteOffset + firstWord, wordCount);
  for (let index = 0; index < wordCount; index += 1) {
    const word = words[index]!;
    const unescaped = word ^ 0x5c5c5c5c;
    // A byte below 0x20, or a zero byte in word ^ 0x5c5c5c5c (a backslash): the classic SWAR tests.
    if ((((word - 0x20202020) & ~word) | ((unescaped - 0x01010101) & ~unescaped)) & 0x80808080) return false;
  }
  return bytesAreLiteral(body, firstWord + wordCount * 4, end);
}

function bytesAreLiteral(body: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = body[index]!;
    if (byte < 0x20 || byte === backslash) return false;
  }
  return true;
}

/**
 * Parses a JSON body, leaving each string value of at least `minLength` bytes that needs no
 * unescaping in the body: the parsed value holds a stand-in text for it, which `rangeOf` turns
 * back into its bytes. A model upload (megabytes of base64 in JSON) then never becomes one large
 * string, nor its base64 another: each was a fresh allocation of megabytes, whose page faults and
 * collection cost more than the parse itself. Errors are those of {@link parseJsonBody}.
 *
 * @example
 * const { value, rangeOf } = parseJsonKeepingLongStrings(body, 64 * 1024);
 * const range = rangeOf((value as { data: unknown }).data); // { start, end } or undefined
 */
export function parseJsonKeepingLongStrings(body: Buffer, minLength: number): JsonWithLongStrings {
  // Stand-ins start with a NUL and a random nonce, so no text a client sends can pass for one.
  const prefix = `\u0000${randomBytes(8).toString('hex')}:`;
  const ranges: ByteRange[] = [];
  const pieces: Buffer[] = [];
  let copiedUntil = 0;
  let position = body.indexOf(quote, 0);
  while (position !== -1) {
    const start = position + 1;
    const end = closingQuote(body, start);
    if (end === -1) break;
    let next = end + 1;
    while (next < body.length && isBlank(body[next]!)) next += 1;
    const isKey = body[next] === colon;
    if (!isKey && end - start >= minLength && isLiteral(body, start, end)) {
      pieces.push(
        body.subarray(copiedUntil, start),
        Buffer.from(`\\u0000${prefix.slice(1)}${ranges.length}`),
      );
      ranges.push({ start, end });
      copiedUntil = end;
    }
    position = body.indexOf(quote, end + 1);
  }
  if (ranges.length === 0) return { value: parseJsonBody(body), rangeOf: () => undefined };
  pieces.push(body.subarray(copiedUntil));
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(pieces).toString('utf8'));
  } catch {
    // The same error, and position, as the whole body gives.
    parseJsonBody(body);
    throw new Error('unreachable: a body whose outline is not JSON parsed as JSON');
  }
  return {
    value,
    rangeOf(text) {
      if (typeof text !== 'string' || !text.startsWith(prefix)) return undefined;
      return ranges[Number(text.slice(prefix.length))];
    },
  };
}
