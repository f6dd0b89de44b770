import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from '../../../../src/server/files/multipart-parser.js';

const boundary = 'XyZ-boundary';
const fileBytes = Buffer.from(Array.from({ length: 300 }, (_, index) => (index * 13) % 256));
// A body whose file holds CR, LF and a near-delimiter, so a split anywhere can fool a careless parser.
const tricky = Buffer.concat([fileBytes, Buffer.from(`\r\n--XyZ-boundar\r\n-`)]);
const body = Buffer.concat([
  Buffer.from(
    `preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n`,
  ),
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".bin"\r\n`),
  Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
  tricky,
  Buffer.from(`\r\n--${boundary}--\r\nepilogue`),
]);

async function parseInChunks(chunks: Buffer[]) {
  const parts: { name: string; filename: string | undefined; bytes: Buffer }[] = [];
  await parseMultipart(chunks, boundary, (info) => {
    const received: Buffer[] = [];
    return {
      write: (chunk) => {
        received.push(Buffer.from(chunk));
      },
      end: () => {
        parts.push({ ...info, bytes: Buffer.concat(received) });
      },
    };
  });
  return parts;
}

describe('parseMultipart', () => {
  it('gives the same parts wherever the body is split into two chunks', async () => {
    for (let split = 0; split <= body.length; split++) {
      const parts = await parseInChunks([body.subarray(0, split), body.subarray(split)]);
      expect(parts.map((part) => part.name)).toEqual(['purpose', 'file']);
      expect(parts[0]!.bytes.toString()).toBe('fine-tune');
      expect(parts[1]!.filename).toBe('a "b".bin');
      expect(parts[1]!.bytes.equals(tricky)).toBe(true);
    }
  });

  it('parses a body sent one byte at a time', async () => {
    const parts = await parseInChunks([...body].map((byte) => Buffer.from([byte])));
    expect(parts[1]!.bytes.equals(tricky)).toBe(true);
  });

  it('refuses a body cut before its closing delimiter, and a part without a name', async () => {
    await expect(parseInChunks([body.subarray(0, body.length - 20)])).rejects.toThrow(/closing delimiter/);
    const nameless = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--`,
    );
    await expect(parseInChunks([nameless])).rejects.toThrow(/no field name/);
  });

  it('reads the boundary of the content type, or says what is wrong', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(() => multipartBoundary('application/json')).toThrow(/must be multipart\/form-data/);
    expect(() => multipartBoundary('multipart/form-data')).toThrow(/no valid boundary/);
  });
});
