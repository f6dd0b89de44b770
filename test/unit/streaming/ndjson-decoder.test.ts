import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamError } from '../../../src/errors/index.js';
import { decodeJsonLines, type JsonLine, NdjsonDecoder } from '../../../src/streaming/index.js';
import { bytes } from './stream-fixtures.js';

function decodeChunks(chunks: readonly Uint8Array[]): JsonLine[] {
  const decoder = new NdjsonDecoder();
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
}

const RECORDED =
  '{"model":"m","message":{"role":"assistant","content":"héllo"},"done":false}\n' +
  '\n' +
  '{"model":"m","message":{"role":"assistant","content":" 中文 😀"},"done":false}\r\n' +
  '   \n' +
  '{"model":"m","done":true,"eval_count":3}';

const EXPECTED: JsonLine[] = [
  { lineNumber: 1, value: { model: 'm', message: { role: 'assistant', content: 'héllo' }, done: false } },
  { lineNumber: 3, value: { model: 'm', message: { role: 'assistant', content: ' 中文 😀' }, done: false } },
  { lineNumber: 5, value: { model: 'm', done: true, eval_count: 3 } },
];

describe('NdjsonDecoder', () => {
  it('parses lines, skips blank ones, accepts \\r\\n and a last line without a newline', () => {
    expect(decodeChunks([bytes(RECORDED)])).toEqual(EXPECTED);
  });

  it('gives the same lines for a cut at every byte offset', () => {
    const data = bytes(RECORDED);
    for (let offset = 0; offset <= data.length; offset += 1) {
      expect(decodeChunks([data.subarray(0, offset), data.subarray(offset)])).toEqual(EXPECTED);
    }
  });

  it('gives the same lines for any split (property)', () => {
    const data = bytes(RECORDED);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: data.length }), { maxLength: 30 }), (offsets) => {
        const cuts = [...offsets].sort((left, right) => left - right);
        const chunks = [...cuts, data.length].map((cut, index) => data.subarray(cuts[index - 1] ?? 0, cut));
        expect(decodeChunks(chunks)).toEqual(EXPECTED);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('gives the same values for any generated JSON lines and any split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (values, cuts) => {
          const data = bytes(values.map((value) => JSON.stringify(value)).join('\n'));
          const offsets = [...cuts.map((cut) => cut % (data.length + 1))].sort((left, right) => left - right);
          const chunks = [...offsets, data.length].map((cut, index) =>
            data.subarray(offsets[index - 1] ?? 0, cut),
          );
          // JSON round trips turn -0 into 0; compare through JSON to see the wire values.
          expect(JSON.stringify(decodeChunks(chunks).map((line) => line.value))).toEqual(
            JSON.stringify(values),
          );
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });

  it('names the line and shows a snippet when a line is not JSON', () => {
    const decoder = new NdjsonDecoder();
    decoder.push(bytes('{"ok":1}\n\n'));
    let caught: unknown;
    try {
      decoder.push(bytes(`{"broken": ${'x'.repeat(200)}\n`));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StreamError);
    expect((caught as StreamError).message).toMatch(
      /^Line 3 of the NDJSON stream is not valid JSON: \{"broken": x+…$/,
    );
    expect((caught as StreamError).code).toBe('invalid_json');
  });

  it('says when the stream ended inside a line', () => {
    const decoder = new NdjsonDecoder();
    decoder.push(bytes('{"ok":1}\n{"cut":'));
    expect(() => decoder.end()).toThrow(/Line 2 .*the stream ended inside it/);
  });

  it('refuses a line longer than the limit instead of buffering without end', () => {
    const decoder = new NdjsonDecoder({ maxLineCharacters: 50 });
    expect(() => decoder.push(bytes('x'.repeat(60)))).toThrow(/Line 1 .*longer than 50/);
  });

  it('throws only StreamError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        try {
          decodeChunks(chunks);
        } catch (error) {
          expect(error).toBeInstanceOf(StreamError);
        }
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('decodes a body through the async generator', async () => {
    async function* body() {
      yield bytes('{"a":');
      yield bytes('1}\n{"b":2}');
    }
    const values: unknown[] = [];
    for await (const line of decodeJsonLines(body())) values.push(line.value);
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
