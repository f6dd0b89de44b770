import { randomizedSvd } from './randomized-svd.js';

export interface PpmiSettings {
  dimensions: number;
  /** Tokens up to this far apart (within one document) co-occur. */
  window: number;
  /** Only the most frequent ids (the first `contextSize` local ids) serve as contexts. */
  contextSize: number;
  /** Context-distribution smoothing: context counts are raised to this power (Levy et al., 2015). */
  contextSmoothing: number;
}

/**
 * Token vectors from positive pointwise mutual information and a truncated SVD (Levy, Goldberg &
 * Dagan, 2015), which on a corpus this small beats skip-gram at grouping words by topic: count
 * how often each token appears within `window` tokens of each context token, turn the counts into
 * PPMI, and keep the top `dimensions` singular directions, U * sqrt(S). Ids in `ignoredIds` get zero vectors.
 * Local ids are sorted by frequency, so the first `contextSize` ids are the most frequent tokens.
 */
export function ppmiTokenVectors(
  documents: readonly Int32Array[],
  vocabSize: number,
  ignoredIds: ReadonlySet<number>,
  settings: PpmiSettings,
  random: () => number,
): Float32Array {
  const { window, contextSize, dimensions } = settings;
  const matrix = new Float32Array(vocabSize * contextSize);
  for (const document of documents) {
    for (let position = 0; position < document.length; position++) {
      const token = document[position]!;
      if (ignoredIds.has(token)) continue;
      const last = Math.min(document.length - 1, position + window);
      for (let other = Math.max(0, position - window); other <= last; other++) {
        const context = document[other]!;
        if (other !== position && context < contextSize && !ignoredIds.has(context)) {
          matrix[token * contextSize + context]! += 1;
        }
      }
    }
  }
  const rowTotals = new Float64Array(vocabSize);
  const smoothedContext = new Float64Array(contextSize);
  let total = 0;
  for (let token = 0; token < vocabSize; token++) {
    for (let context = 0; context < contextSize; context++) {
      const count = matrix[token * contextSize + context]!;
      rowTotals[token]! += count;
      smoothedContext[context]! += count;
      total += count;
    }
  }
  const smoothedTotal = smoothedContext.reduce((sum, count, index) => {
    smoothedContext[index] = count ** settings.contextSmoothing;
    return sum + smoothedContext[index]!;
  }, 0);
  for (let token = 0; token < vocabSize; token++) {
    for (let context = 0; context < contextSize; context++) {
      const count = matrix[token * contextSize + context]!;
      if (count === 0) continue;
      const pmi = Math.log(
        count / total / ((rowTotals[token]! / total) * (smoothedContext[context]! / smoothedTotal)),
      );
      matrix[token * contextSize + context] = Math.max(0, pmi);
    }
  }
  const { left, singularValues } = randomizedSvd(matrix, vocabSize, contextSize, dimensions, random);
  const vectors = new Float32Array(vocabSize * dimensions);
  for (let token = 0; token < vocabSize; token++) {
    if (ignoredIds.has(token)) continue;
    for (let dimension = 0; dimension < dimensions; dimension++) {
      vectors[token * dimensions + dimension] =
        left[token * dimensions + dimension]! * Math.sqrt(singularValues[dimension]!);
    }
  }
  return vectors;
}
