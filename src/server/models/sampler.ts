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
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
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

/**
 * Picks the next token id from one row of logits.
 * Greedy (argmax, lowest index on ties) when `temperature` is 0; otherwise softmax at that
 * temperature, cut to the `topK` most likely tokens and then to the smallest set whose
 * probability reaches `topP`, and drawn with `random`.
 *
 * @example
 * const next = sampleToken(logits, { temperature: 0.8, topP: 0.95, topK: 40 }, createSeededRandom(7));
 */
export function sampleToken(
  logits: Float32Array,
  options: TokenSamplingOptions,
  random: () => number,
): number {
  if (logits.length === 0) throw new RangeError('Cannot sample from empty logits.');
  if (!(options.temperature > 0)) return argmax(logits);

  const candidates: number[] = [];
  for (let index = 0; index < logits.length; index++) {
    if (logits[index]! > Number.NEGATIVE_INFINITY) candidates.push(index);
  }
  if (candidates.length === 0) return argmax(logits);

  const cutsAnything = (options.topK > 0 && options.topK < candidates.length) || options.topP < 1;
  if (cutsAnything) {
    // Ties are broken by index so the kept set never depends on sort stability.
    candidates.sort((left, right) => logits[right]! - logits[left]! || left - right);
    if (options.topK > 0 && options.topK < candidates.length) candidates.length = options.topK;
  }

  const maximum = candidates.reduce(
    (best, index) => Math.max(best, logits[index]!),
    Number.NEGATIVE_INFINITY,
  );
  const weights = candidates.map((index) => Math.exp((logits[index]! - maximum) / options.temperature));
  let total = weights.reduce((sum, weight) => sum + weight, 0);

  if (options.topP < 1) {
    const threshold = Math.max(options.topP, 0) * total;
    let cumulative = 0;
    let kept = 0;
    // Always keep the most likely token, even when topP is 0.
    while (kept < weights.length && (kept === 0 || cumulative < threshold)) {
      cumulative += weights[kept]!;
      kept++;
    }
    weights.length = kept;
    candidates.length = kept;
    total = cumulative;
  }

  let remaining = random() * total;
  for (let position = 0; position < weights.length; position++) {
    remaining -= weights[position]!;
    if (remaining < 0) return candidates[position]!;
  }
  // Rounding can leave a sliver of mass; it belongs to the last kept candidate.
  return candidates[candidates.length - 1]!;
}
