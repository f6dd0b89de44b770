import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Bytes } from '../../../../../src/server/routes/oip/base64-bytes.js';

const decode = (text: string) => decodeBase64Bytes(Buffer.from(text, 'utf8'));

describe('decodeBase64Bytes', () => {
  it('decodes exactly what Node encodes, for every padding and length', () => {
    for (let length = 0; length <= 64; length += 1) {
      const bytes = randomBytes(length);
      expect(Buffer.from(decode(bytes.toString('base64'))!)).toEqual(bytes);
    }
    const large = randomBytes(3 * 1024 * 1024 + 1);
    expect(Buffer.compare(Buffer.from(decode(large.toString('base64'))!), large)).toBe(0);
  });

  it('refuses text that is not strictly standard base64', () => {
    const refused = [
      'CAg', // not a multiple of 4
      'CA-g', // URL-safe alphabet
      'CA_g',
      'CA g',
      'CA\ng',
      'C=Ag', // padding in the middle
      'CAg=CAg=',
      '====',
      'C===',
      'CAgé',
      'CA\u0000g',
    ];
    for (const text of refused) expect(decode(text), JSON.stringify(text)).toBeUndefined();
  });

  it('decodes into the memory it is given, overwriting every byte there', () => {
    const bytes = randomBytes(1000);
    const memory = new Uint8Array(2000).fill(0xaa);
    const decoded = decodeBase64Bytes(Buffer.from(bytes.toString('base64')), (length) =>
      memory.subarray(500, 500 + length),
    );
    expect(decoded?.buffer).toBe(memory.buffer);
    expect(Buffer.compare(Buffer.from(decoded!), bytes)).toBe(0);
    expect(memory.subarray(1500).every((byte) => byte === 0xaa)).toBe(true);
  });

  it('decodes the empty text to no bytes', () => {
    expect(decode('')).toEqual(new Uint8Array(0));
  });
});
