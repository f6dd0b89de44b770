import { describe, expect, it } from 'vitest';
import { Utf8ChunkDecoder } from '../../../src/streaming/utf8-chunk-decoder.js';

const encoder = new TextEncoder();

function decodeInChunks(bytes: Uint8Array, cuts: readonly number[]): string {
  const decoder = new Utf8ChunkDecoder();
  let text = '';
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    text += decoder.write(bytes.subarray(start, cut));
    start = cut;
  }
  return text + decoder.end();
}

// What a TextDecoder makes of the whole body at once: the behaviour the decoder keeps.
const reference = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('Utf8ChunkDecoder', () => {
  it('gives the text of the whole body however it is cut, multi-byte characters included', () => {
    const bytes = encoder.encode('data: {"content":" Grüße, 世界 🎉 ½"}\n\n');
    for (let first = 0; first <= bytes.length; first += 1) {
      for (let second = first; second <= bytes.length; second += 3) {
        expect(decodeInChunks(bytes, [first, second])).toBe(reference(bytes));
      }
    }
  });

  it('drops a leading byte order mark, even cut in pieces, and keeps one later in the text', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('a\uFEFFb')]);
    for (const cuts of [[], [1], [1, 2], [2, 3], [3]]) {
      expect(decodeInChunks(bytes, cuts)).toBe('a\uFEFFb');
    }
  });

  it('turns bytes that are not UTF-8 into U+FFFD, and a character cut off by the end too', () => {
    const invalid = new Uint8Array([0x61, 0xff, 0x62, 0xc3, 0x28, 0x63]);
    for (let cut = 0; cut <= invalid.length; cut += 1) {
      expect(decodeInChunks(invalid, [cut])).toBe(reference(invalid));
    }
    const truncated = encoder.encode('ok 🎉').subarray(0, 5);
    expect(decodeInChunks(truncated, [4])).toBe(reference(truncated));
    expect(reference(truncated)).toBe('ok \uFFFD');
  });
});
