const fnvOffsetBasis = 0x811c9dc5;
const fnvPrime = 0x01000193;

/**
 * English function words, dropped before hashing: with only 100 buckets every extra word is a
 * collision, and these carry no feeling. Negations ("not", "no", "never") are kept on purpose.
 */
const functionWords = new Set(
  (
    'a an the and or but of to in on at for with from by as is are was were be been being am i me my ' +
    'we our us you your he she it its they them their this that these those there here so very really ' +
    'too just all any some every than then what which who how had has have do does did will would can ' +
    'could should after before about into over out up down again more most much such only own same ' +
    'other off while where when because if also even still'
  ).split(' '),
);

/** FNV-1a over the UTF-16 code units: stable across platforms and Node versions, unlike any built-in hash. */
function fnv1a(text: string): number {
  let hash = fnvOffsetBasis;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, fnvPrime);
  }
  return hash >>> 0;
}

/** Lowercase word tokens; apostrophes stay inside words so "don't" and "isn't" are features of their own. */
export function sentimentWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? [];
}

/**
 * The ref-classify input: a hashed bag of words. Lowercase words, less English function words,
 * are each hashed with FNV-1a to one of `dimensions` buckets and counted; the counts are then
 * L2-normalised so that long and short sentences weigh the same. (Chosen over signed hashing and
 * word pairs by 5-fold cross-validation on the training sentences.)
 *
 * @example
 * const features = hashedBagOfWords('The service was not good.'); // Float32Array(100)
 */
export function hashedBagOfWords(text: string, dimensions = 100): Float32Array {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new RangeError(`dimensions must be a positive integer, got ${dimensions}.`);
  }
  const features = new Float32Array(dimensions);
  for (const word of sentimentWords(text)) {
    if (!functionWords.has(word)) features[fnv1a(word) % dimensions]! += 1;
  }
  let squaredNorm = 0;
  for (const value of features) squaredNorm += value * value;
  if (squaredNorm > 0) {
    const scale = 1 / Math.sqrt(squaredNorm);
    for (let index = 0; index < dimensions; index++) features[index]! *= scale;
  }
  return features;
}
