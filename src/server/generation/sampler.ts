import { approximateRunningTotals, certainUncutPick } from './certain-uncut-draw.js';
import { SeededRandom } from './seeded-random.js';

/** The knobs of one sampling step; `temperature: 0` means greedy, `topK: 0` means no top-k cut. */
export interface TokenSamplingOptions {
  temperature: number;
  topP: number;
  topK: number;
}

/**
 * A small, fast, seeded PRNG (mulberry32) returning floats in [0, 1).
 * Same seed, same sequence, on every platform: generation and training depend on it.
 *
 * @example
 * const random = createSeededRandom(42);
 * random(); // always the same first number for seed 42
 */
export function createSeededRandom(seed: number): () => number {
  return new SeededRandom(seed).next;
}

function argmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < logits.length; index++) {
    const value = logits[index]!;
    // Strictly greater keeps the lowest index on ties, so greedy decoding is reproducible.
    if (value > bestValue) {
      bestValue = value;
      best = index;
    }
  }
  return best;
}

/*
 * Sampling runs once per generated token over the whole vocabulary, so it avoids allocation
 * and full sorts. Every result must still match the plain algorithm bit for bit (same seed, same
 * text), which fixes a few things:
 *
 * - Candidates are the tokens whose logit is above -Infinity. Without a cut they are weighed in
 *   index order; with a cut they are ordered by logit (largest first, `-0` equal to `0`, equal
 *   logits by index) and the top-k kept.
 * - A weight is `Math.exp((logit - maximum) / temperature)` and the total is summed from 0 in
 *   candidate order, so every rounding happens exactly as in the plain algorithm.
 * - With a cut, the first weight is exp(0) = 1, so the running total is at least 1 and a weight
 *   below 2^-53 (half an ulp of 1) cannot change it. Tokens whose scaled logit is below
 *   `negligibleExponent` (exp(-40) < 2^-53) therefore leave the total and the top-p nucleus
 *   unchanged and need no sorting; only a draw that runs past every other kept token (a sliver of
 *   rounding) looks at them, and then they are ordered on demand.
 */
const negligibleExponent = -40;
/** Top-k cuts up to this size keep a sorted list by insertion instead of sorting candidates. */
const insertionTopKLimit = 128;
/** Runs shorter than this are sorted by insertion rather than by radix. */
const insertionSortLimit = 24;

let weights = new Float64Array(0);
let order = new Int32Array(0);
let scratchOrder = new Int32Array(0);
let topValues = new Float64Array(0);
let sortKeys = new Uint32Array(0);
let scratchKeys = new Uint32Array(0);
const digitCounts = new Uint32Array(256);
const floatBox = new Float32Array(1);
const floatBits = new Uint32Array(floatBox.buffer);

function reserve(size: number): void {
  if (weights.length >= size) return;
  const capacity = Math.max(size, 2 * weights.length);
  weights = new Float64Array(capacity);
  order = new Int32Array(capacity);
  scratchOrder = new Int32Array(capacity);
  topValues = new Float64Array(capacity);
  sortKeys = new Uint32Array(capacity);
  scratchKeys = new Uint32Array(capacity);
}

/** A 32-bit key whose ascending order is descending logit order (`-0` ranks with `0`). */
function descendingKey(value: number): number {
  floatBox[0] = value === 0 ? 0 : value;
  const bits = floatBits[0]!;
  const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return (0xffffffff - ascending) >>> 0;
}

/**
 * Sorts the candidate indices `order[from .. to)`, which must be in increasing index order, by
 * logit, largest first: a stable radix sort, so equal logits stay in index order.
 */
function sortByLogit(logits: Float32Array, from: number, to: number): void {
  const size = to - from;
  if (size < 2) return;
  for (let position = from; position < to; position++) {
    sortKeys[position] = descendingKey(logits[order[position]!]!);
  }
  if (size < insertionSortLimit) {
    for (let position = from + 1; position < to; position++) {
      const key = sortKeys[position]!;
      const index = order[position]!;
      let target = position;
      while (target > from && sortKeys[target - 1]! > key) {
        sortKeys[target] = sortKeys[target - 1]!;
        order[target] = order[target - 1]!;
        target--;
      }
      sortKeys[target] = key;
      order[target] = index;
    }
    return;
  }
  let keys = sortKeys;
  let indices = order;
  let nextKeys = scratchKeys;
  let nextIndices = scratchOrder;
  for (let shift = 0; shift < 32; shift += 8) {
    digitCounts.fill(0);
    for (let position = from; position < to; position++) digitCounts[(keys[position]! >>> shift) & 0xff]!++;
    // A digit every key shares leaves the order as it is.
    if (digitCounts[(keys[from]! >>> shift) & 0xff] === size) continue;
    let start = from;
    for (let digit = 0; digit < 256; digit++) {
      const digitCount = digitCounts[digit]!;
      digitCounts[digit] = start;
      start += digitCount;
    }
    for (let position = from; position < to; position++) {
      const key = keys[position]!;
      const target = digitCounts[(key >>> shift) & 0xff]!++;
      nextKeys[target] = key;
      nextIndices[target] = indices[position]!;
    }
    [keys, nextKeys] = [nextKeys, keys];
    [indices, nextIndices] = [nextIndices, indices];
  }
  if (indices !== order) order.set(indices.subarray(from, to), from);
}

/** Inserts a candidate into the sorted top-`limit` list of `size` entries; returns the new size. */
function insertTop(value: number, index: number, size: number, limit: number): number {
  // Later candidates have larger indices, so they go after every entry with an equal logit.
  let position = size < limit ? size : limit - 1;
  while (position > 0 && topValues[position - 1]! < value) {
    topValues[position] = topValues[position - 1]!;
    order[position] = order[position - 1]!;
    position--;
  }
  topValues[position] = value;
  order[position] = index;
  return size < limit ? size + 1 : size;
}

/** No cut, from the exact weights: every candidate in index order. */
function uncutExactDraw(
  logits: Float32Array,
  maximum: number,
  temperature: number,
  lastCandidate: number,
  draw: number,
): number {
  const length = logits.length;
  let total = 0;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    if (value > Number.NEGATIVE_INFINITY) {
      const weight = Math.exp((value - maximum) / temperature);
      weights[index] = weight;
      total += weight;
    }
  }
  let remaining = draw * total;
  for (let index = 0; index < length; index++) {
    if (logits[index]! > Number.NEGATIVE_INFINITY) {
      remaining -= weights[index]!;
      if (remaining < 0) return index;
    }
  }
  // Rounding can leave a sliver of mass; it belongs to the last kept candidate.
  return lastCandidate;
}

/**
 * No cut: every candidate in index order. The draw is made from the running totals of cheap
 * approximate weights (relative to `reference`, any candidate's logit) when that is certain to
 * pick the exact draw's token (see `certain-uncut-draw.ts`), from the exact weights with the same
 * random number otherwise. `maximum` and `lastCandidate` are found when only the exact draw needs them.
 */
function sampleUncut(
  logits: Float32Array,
  reference: number,
  temperature: number,
  random: () => number,
  found?: { maximum: number; lastCandidate: number },
): number {
  const length = logits.length;
  // The weights' scratch holds their approximate running totals here; the exact draw rewrites it.
  const runningTotals = weights;
  const total = approximateRunningTotals(logits, reference, temperature, runningTotals);
  const draw = random();
  const certain = certainUncutPick(runningTotals, length, total, draw);
  if (certain !== -1) return certain;
  if (found !== undefined)
    return uncutExactDraw(logits, found.maximum, temperature, found.lastCandidate, draw);
  let maximum = Number.NEGATIVE_INFINITY;
  let lastCandidate = -1;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    if (value > Number.NEGATIVE_INFINITY) {
      lastCandidate = index;
      if (value > maximum) maximum = value;
    }
  }
  return uncutExactDraw(logits, maximum, temperature, lastCandidate, draw);
}

/**
 * Weighs the sorted candidates `order[0 .. size)`, applies top-p and draws. `kept` is how many
 * candidates the cut keeps; when it exceeds `size`, the rest are negligible candidates waiting
 * unsorted in `order[size .. restEnd)`, sorted only should the draw reach them.
 */
function sampleSorted(
  logits: Float32Array,
  size: number,
  kept: number,
  maximum: number,
  temperature: number,
  topP: number,
  random: () => number,
  restEnd: number,
): number {
  let total = 0;
  for (let position = 0; position < size; position++) {
    const weight = Math.exp((logits[order[position]!]! - maximum) / temperature);
    weights[position] = weight;
    total += weight;
  }
  let drawable = size;
  if (topP < 1) {
    const threshold = Math.max(topP, 0) * total;
    let cumulative = 0;
    let nucleus = 0;
    // Always keep the most likely token, even when topP is 0. The nucleus never reaches the
    // negligible tokens: the cumulative sum equals the total once the others are in.
    while (nucleus < size && (nucleus === 0 || cumulative < threshold)) {
      cumulative += weights[nucleus]!;
      nucleus++;
    }
    drawable = nucleus;
    kept = nucleus;
    total = cumulative;
  }
  let remaining = random() * total;
  for (let position = 0; position < drawable; position++) {
    remaining -= weights[position]!;
    if (remaining < 0) return order[position]!;
  }
  if (kept > drawable) {
    order.subarray(size, restEnd).reverse(); // Gathered from the end: back to index order.
    sortByLogit(logits, size, restEnd);
    for (let position = drawable; position < kept; position++) {
      remaining -= Math.exp((logits[order[position]!]! - maximum) / temperature);
      if (remaining < 0) return order[position]!;
    }
  }
  // Rounding can leave a sliver of mass; it belongs to the last kept candidate.
  return order[kept - 1]!;
}

/**
 * Picks the next token id from one row of logits.
 * Greedy (argmax, lowest index on ties) when `temperature` is 0; otherwise softmax at that
 * temperature, cut to the `topK` most likely tokens and then to the smallest set whose
 * probability reaches `topP`, and drawn with `random` (exactly one draw).
 *
 * @example
 * const next = sampleToken(logits, { temperature: 0.8, topP: 0.95, topK: 40 }, createSeededRandom(7));
 */
export function sampleToken(
  logits: Float32Array,
  options: TokenSamplingOptions,
  random: () => number,
): number {
  const length = logits.length;
  if (length === 0) throw new RangeError('Cannot sample from empty logits.');
  const { temperature, topP, topK } = options;
  if (!(temperature > 0)) return argmax(logits);
  reserve(length);

  if (!(topP < 1) && (topK <= 0 || topK >= length)) {
    // Nothing can be cut: no pass to find the maximum first, the first candidate is the reference.
    let first = 0;
    while (first < length && !(logits[first]! > Number.NEGATIVE_INFINITY)) first++;
    if (first === length) return argmax(logits);
    return sampleUncut(logits, logits[first]!, temperature, random);
  }

  // One pass: candidate count, maximum, last candidate and, for a small top-k, the sorted top-k.
  const selecting = topK > 0 && topK <= insertionTopKLimit && topK < length;
  let count = 0;
  let maximum = Number.NEGATIVE_INFINITY;
  let lastCandidate = -1;
  let selected = 0;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    if (value > Number.NEGATIVE_INFINITY) {
      count++;
      lastCandidate = index;
      if (value > maximum) maximum = value;
      if (selecting && (selected < topK || value > topValues[topK - 1]!)) {
        selected = insertTop(value, index, selected, topK);
      }
    }
  }
  if (count === 0) return argmax(logits);

  const cutsTopK = topK > 0 && topK < count;
  if (!cutsTopK && !(topP < 1)) {
    return sampleUncut(logits, maximum, temperature, random, { maximum, lastCandidate });
  }
  if (cutsTopK && selecting) {
    return sampleSorted(logits, topK, topK, maximum, temperature, topP, random, topK);
  }

  // Sort only the tokens that can matter; the negligible ones wait after them (last index first).
  // With an infinite maximum every weight is NaN or 0, so nothing is negligible.
  const cutoff = maximum === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : negligibleExponent;
  let significant = 0;
  let negligibleStart = count;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    if (value > Number.NEGATIVE_INFINITY) {
      if ((value - maximum) / temperature < cutoff) order[--negligibleStart] = index;
      else order[significant++] = index;
    }
  }
  sortByLogit(logits, 0, significant);
  const kept = cutsTopK ? topK : count;
  return sampleSorted(logits, Math.min(significant, kept), kept, maximum, temperature, topP, random, count);
}
