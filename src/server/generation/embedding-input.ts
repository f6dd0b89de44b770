import type { ChatTokenizer } from './chat-tokenizer.js';

/** The ref-embed inputs for a batch of texts, ready to become int64 tensors. */
export interface EmbeddingBatch {
  /** Row-major `batchSize x sequenceLength`, right-padded with the pad id. */
  inputIds: BigInt64Array;
  /** 1 where a row has a token, 0 on padding. */
  attentionMask: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
  /** Tokens embedded per text (after truncation to `maxLength`): what an embedding call meters. */
  tokenCounts: number[];
}

/**
 * Tokenizes texts for ref-embed: each text keeps its first `maxLength` tokens, rows are
 * right-padded to the longest row, and the attention mask marks the real tokens. A batch
 * whose texts are all empty still gets one fully masked column, so the tensors are never empty;
 * ref-embed maps an all-masked row to a fixed vector instead of dividing by zero.
 *
 * @example
 * const batch = buildEmbeddingBatch(tokenizer, ['a cat', 'the dog barked'], 256);
 */
export function buildEmbeddingBatch(
  tokenizer: ChatTokenizer,
  texts: readonly string[],
  maxLength: number,
): EmbeddingBatch {
  if (!Number.isInteger(maxLength) || maxLength <= 0) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}.`);
  }
  const rows = texts.map((text) => tokenizer.encode(text).slice(0, maxLength));
  const sequenceLength = Math.max(1, ...rows.map((row) => row.length));
  const inputIds = new BigInt64Array(texts.length * sequenceLength).fill(BigInt(tokenizer.padId));
  const attentionMask = new BigInt64Array(texts.length * sequenceLength);
  rows.forEach((row, rowIndex) => {
    const offset = rowIndex * sequenceLength;
    row.forEach((id, column) => {
      inputIds[offset + column] = BigInt(id);
      attentionMask[offset + column] = 1n;
    });
  });
  return {
    inputIds,
    attentionMask,
    batchSize: texts.length,
    sequenceLength,
    tokenCounts: rows.map((row) => row.length),
  };
}

/**
 * Shortens an embedding to its first `dimensions` values and L2-normalises it again. ref-embed
 * orders its dimensions by explained variance (a PCA rotation), so the leading ones carry the
 * most meaning and a cut keeps most of it (the "Matryoshka" use of an embedding).
 *
 * @example
 * truncateEmbedding(vector, 64); // Float32Array(64) with norm 1
 */
export function truncateEmbedding(vector: Float32Array, dimensions: number): Float32Array {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new RangeError(`dimensions must be a positive integer, got ${dimensions}.`);
  }
  const truncated = vector.slice(0, dimensions);
  let squaredNorm = 0;
  for (const value of truncated) squaredNorm += value * value;
  // A zero vector stays zero instead of becoming NaN.
  if (squaredNorm > 0) {
    const scale = 1 / Math.sqrt(squaredNorm);
    for (let index = 0; index < truncated.length; index++) truncated[index]! *= scale;
  }
  return truncated;
}
