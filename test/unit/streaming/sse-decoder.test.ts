import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeServerSentEvents, type ServerSentItem, SseDecoder } from '../../../src/streaming/index.js';
import { bytes } from './stream-fixtures.js';

function decodeChunks(chunks: readonly Uint8Array[]): ServerSentItem[] {
  const decoder = new SseDecoder();
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
}

/** Cuts `data` at the given offsets (any order, duplicates allowed: empty chunks must be harmless). */
function splitAt(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...offsets].sort((left, right) => left - right);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(data.subarray(start, cut));
    start = cut;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

// A recorded stream that exercises every line ending, multi-byte text (2-, 3- and 4-byte
// UTF-8), comments, named events, multi-line data and a retry field.
const RECORDED =
  ': keep-alive\r\n' +
  'id: 1\r\ndata: {"text":"héllo"}\r\n\r\n' +
  'id: 2\rdata: 中文 😀\r\r' +
  'retry: 2500\n' +
  'id: 3\nevent: error\ndata: first line\ndata: second line\n\n' +
  ': ping\n' +
  'id: 4\r\ndata: [DONE]\r\n\r\n';

const EXPECTED: ServerSentItem[] = [
  { kind: 'comment', text: 'keep-alive' },
  { kind: 'message', id: '1', event: undefined, data: '{"text":"héllo"}' },
  { kind: 'message', id: '2', event: undefined, data: '中文 😀' },
  { kind: 'retry', milliseconds: 2500 },
  { kind: 'message', id: '3', event: 'error', data: 'first line\nsecond line' },
  { kind: 'comment', text: 'ping' },
  { kind: 'message', id: '4', event: undefined, data: '[DONE]' },
];

describe('SseDecoder', () => {
  it('decodes a recorded stream with mixed line endings, comments and multi-byte text', () => {
    expect(decodeChunks([bytes(RECORDED)])).toEqual(EXPECTED);
  });

  it('gives the same items for a cut at every byte offset, inside characters and between \\r and \\n', () => {
    const data = bytes(RECORDED);
    for (let offset = 0; offset <= data.length; offset += 1) {
      expect(decodeChunks(splitAt(data, [offset]))).toEqual(EXPECTED);
    }
  });

  it('gives the same items one byte at a time', () => {
    const data = bytes(RECORDED);
    expect(decodeChunks(Array.from(data, (byte) => Uint8Array.of(byte)))).toEqual(EXPECTED);
  });

  it('gives the same items for any split of the recorded stream (property)', () => {
    const data = bytes(RECORDED);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: data.length }), { maxLength: 40 }), (offsets) => {
        expect(decodeChunks(splitAt(data, offsets))).toEqual(EXPECTED);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('gives the same events for any generated stream and any split (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((value) => !/[\r\n\0]/.test(value));
    const terminator = fc.constantFrom('\n', '\r', '\r\n');
    const event = fc.record({
      id: fc.option(fc.nat().map(String), { nil: undefined }),
      event: fc.option(fc.constantFrom('message', 'error', 'ping'), { nil: undefined }),
      dataLines: fc.array(text, { minLength: 1, maxLength: 3 }),
      terminators: fc.array(terminator, { minLength: 6, maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (events, cuts) => {
          let source = '';
          for (const { id, event: name, dataLines, terminators } of events) {
            const [first = '\n', second = '\n', third = '\n', ...rest] = terminators;
            if (id !== undefined) source += `id: ${id}${first}`;
            if (name !== undefined) source += `event: ${name}${second}`;
            dataLines.forEach((line, index) => {
              source += `data: ${line}${rest[index % rest.length] ?? '\n'}`;
            });
            // After a `\r`, a blank line written as `\n` would merge into one `\r\n` break.
            source += source.endsWith('\r') && third === '\n' ? '\r' : third;
          }
          const data = bytes(source);
          const items = decodeChunks(
            splitAt(
              data,
              cuts.map((cut) => cut % (data.length + 1)),
            ),
          );
          expect(items).toEqual(
            events.map(({ id, event: name, dataLines }) => ({
              kind: 'message',
              id,
              event: name,
              data: dataLines.join('\n'),
            })),
          );
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('finishes an event whose last line ends with a lone \\r at the end of the body', () => {
    expect(decodeChunks([bytes('data: a\r\r')])).toEqual([
      { kind: 'message', id: undefined, event: undefined, data: 'a' },
    ]);
  });

  it('drops an event the body cut off before its blank line, as the SSE spec says', () => {
    expect(decodeChunks([bytes('data: whole\n\ndata: {"half')])).toEqual([
      { kind: 'message', id: undefined, event: undefined, data: 'whole' },
    ]);
  });

  it('never throws on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        for (const item of decodeChunks(chunks)) expect(['message', 'comment', 'retry']).toContain(item.kind);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('raises a StreamError when a line grows past the buffer limit instead of growing without end', () => {
    const decoder = new SseDecoder({ maxBufferedCharacters: 100 });
    expect(() => decoder.push(bytes(`data: ${'x'.repeat(200)}`))).toThrow(/more than 100 characters/);
  });

  it('decodes a body through the async generator, pulling as it goes', async () => {
    async function* body() {
      yield bytes('data: o');
      yield bytes('ne\n\ndata: two\n\n');
    }
    const items: ServerSentItem[] = [];
    for await (const item of decodeServerSentEvents(body())) items.push(item);
    expect(items.map((item) => (item.kind === 'message' ? item.data : item.kind))).toEqual(['one', 'two']);
  });
});
