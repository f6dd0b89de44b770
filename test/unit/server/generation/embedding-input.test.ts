import { describe, expect, it } from 'vitest';
import { buildLocalTokenizerFile } from '../../../../scripts/lib/local-vocabulary.js';
import { ChatTokenizer } from '../../../../src/server/generation/chat-tokenizer.js';
import { buildEmbeddingBatch, truncateEmbedding } from '../../../../src/server/generation/embedding-input.js';

const tokenizer = new ChatTokenizer(buildLocalTokenizerFile(['one two three four five six seven'], 100), 8);

describe('buildEmbeddingBatch', () => {
  it('right-pads rows to the longest and masks the padding', () => {
    const batch = buildEmbeddingBatch(tokenizer, ['one two three', 'four'], 16);
    const first = tokenizer.encode('one two three');
    const second = tokenizer.encode('four');
    expect(batch.batchSize).toBe(2);
    expect(batch.sequenceLength).toBe(first.length);
    expect(batch.tokenCounts).toEqual([first.length, second.length]);
    expect([...batch.inputIds]).toEqual([
      ...first.map(BigInt),
      ...second.map(BigInt),
      ...Array(first.length - second.length).fill(BigInt(tokenizer.padId)),
    ]);
    expect([...batch.attentionMask]).toEqual([
      ...first.map(() => 1n),
      ...second.map(() => 1n),
      ...Array(first.length - second.length).fill(0n),
    ]);
  });

  it('keeps the first maxLength tokens of a long text and counts what it kept', () => {
    const batch = buildEmbeddingBatch(tokenizer, ['one two three four five six seven'], 3);
    expect(batch.sequenceLength).toBe(3);
    expect(batch.tokenCounts).toEqual([3]);
    expect([...batch.inputIds]).toEqual(tokenizer.encode('one two three').map(BigInt));
  });

  it('gives empty texts one masked column', () => {
    const batch = buildEmbeddingBatch(tokenizer, ['', ''], 8);
    expect(batch.sequenceLength).toBe(1);
    expect([...batch.attentionMask]).toEqual([0n, 0n]);
    expect(batch.tokenCounts).toEqual([0, 0]);
    expect(() => buildEmbeddingBatch(tokenizer, ['one'], 0)).toThrow(RangeError);
  });
});

describe('truncateEmbedding', () => {
  it('keeps the leading dimensions, re-normalised to unit length', () => {
    const vector = Float32Array.of(0.6, 0.0, 0.8, 0.0);
    const truncated = truncateEmbedding(vector, 2);
    expect([...truncated]).toEqual([1, 0]);
    const three = truncateEmbedding(Float32Array.of(1, 2, 2, 4), 3);
    expect(Math.hypot(...three)).toBeCloseTo(1, 6);
    expect(three[1]! / three[0]!).toBeCloseTo(2, 6);
  });

  it('leaves a zero vector at zero and rejects a non-positive size', () => {
    expect([...truncateEmbedding(new Float32Array(4), 2)]).toEqual([0, 0]);
    expect(() => truncateEmbedding(Float32Array.of(1), 0)).toThrow(RangeError);
  });
});
