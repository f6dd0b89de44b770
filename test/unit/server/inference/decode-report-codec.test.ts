import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  packDecodeReport,
  unpackDecodeReport,
} from '../../../../src/server/inference/decode-report-codec.js';
import type { DecodeAnswer, DecodeReport } from '../../../../src/server/inference/sequence-messages.js';

const answer: fc.Arbitrary<DecodeAnswer> = fc.record(
  {
    sequenceId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    step: fc.record({
      tokenId: fc.integer({ min: 0, max: 200_000 }),
      textDelta: fc.string({ unit: 'grapheme' }),
    }),
    result: fc.record({
      text: fc.string(),
      completionTokens: fc.nat(),
      finishReason: fc.constantFrom('stop' as const, 'length' as const),
    }),
    error: fc.string({ minLength: 1 }),
    computeMilliseconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
  },
  { requiredKeys: ['sequenceId', 'computeMilliseconds'] },
);

const report: fc.Arbitrary<DecodeReport> = fc.record({
  key: fc.string({ minLength: 1 }),
  answers: fc.array(answer, { maxLength: 40 }),
  rows: fc.nat({ max: 64 }),
  computeMilliseconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
  queueMilliseconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
});

describe('decode report codec', () => {
  it('gives back every answer exactly: steps (any text, emoji included), results and errors', () => {
    fc.assert(
      fc.property(report, (original) => {
        expect(unpackDecodeReport(structuredClone(packDecodeReport(original)))).toEqual(original);
      }),
    );
  });

  it('posts flat arrays and one string, not an object per answer', () => {
    const packed = packDecodeReport({
      key: 'ref-chat/1',
      rows: 2,
      computeMilliseconds: 3,
      queueMilliseconds: 1,
      answers: [
        { sequenceId: 7, step: { tokenId: 11, textDelta: ' hi' }, computeMilliseconds: 1.5 },
        { sequenceId: 9, step: { tokenId: 12, textDelta: '😀' }, computeMilliseconds: 1.5 },
      ],
    });
    expect(Array.from(packed.steps)).toEqual([7, 11, 3, 9, 12, 2]);
    expect(packed.text).toBe(' hi😀');
    expect(packed.endings).toEqual([]);
  });
});
