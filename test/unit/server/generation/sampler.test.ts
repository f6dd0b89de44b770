import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSeededRandom,
  sampleToken,
  type TokenSamplingOptions,
} from '../../../../src/server/generation/sampler.js';

/**
 * The straightforward sampler `sampleToken` replaced (sort every candidate, then softmax, top-k,
 * top-p and the draw over plain arrays), kept as the oracle: the fast sampler must pick the same
 * token for the same logits, options and random draws, or seeded generations would change.
 */
function referenceArgmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < logits.length; index++) {
    const value = logits[index]!;
    if (value > bestValue) {
      bestValue = value;
      best = index;
    }
  }
  return best;
}

function referenceSampleToken(
  logits: Float32Array,
  options: TokenSamplingOptions,
  random: () => number,
): number {
  if (logits.length === 0) throw new RangeError('Cannot sample from empty logits.');
  if (!(options.temperature > 0)) return referenceArgmax(logits);

  const candidates: number[] = [];
  for (let index = 0; index < logits.length; index++) {
    if (logits[index]! > Number.NEGATIVE_INFINITY) candidates.push(index);
  }
  if (candidates.length === 0) return referenceArgmax(logits);

  const cutsAnything = (options.topK > 0 && options.topK < candidates.length) || options.topP < 1;
  if (cutsAnything) {
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
  return candidates[candidates.length - 1]!;
}

const neverCalled = () => {
  throw new Error('greedy decoding must not draw random numbers');
};

describe('createSeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 50 }, () => random());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('returns floats in [0, 1) spread over the interval', () => {
    const random = createSeededRandom(7);
    const values = Array.from({ length: 10_000 }, () => random());
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('sampleToken', () => {
  it('is greedy at temperature 0, taking the lowest index on ties', () => {
    const logits = Float32Array.of(0.5, 2, -1, 2, 1.5);
    expect(sampleToken(logits, { temperature: 0, topP: 1, topK: 0 }, neverCalled)).toBe(1);
  });

  it('never picks a token whose logit is -Infinity', () => {
    const logits = Float32Array.of(Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY, 0);
    const random = createSeededRandom(3);
    for (let draw = 0; draw < 200; draw++) {
      expect([1, 3]).toContain(sampleToken(logits, { temperature: 1, topP: 1, topK: 0 }, random));
    }
  });

  it('draws in proportion to softmax(logits / temperature)', () => {
    const logits = Float32Array.of(Math.log(1), Math.log(2), Math.log(7));
    const random = createSeededRandom(11);
    const counts = [0, 0, 0];
    const draws = 20_000;
    for (let draw = 0; draw < draws; draw++)
      counts[sampleToken(logits, { temperature: 1, topP: 1, topK: 0 }, random)]!++;
    expect(counts[0]! / draws).toBeCloseTo(0.1, 1);
    expect(counts[1]! / draws).toBeCloseTo(0.2, 1);
    expect(counts[2]! / draws).toBeCloseTo(0.7, 1);
  });

  it('keeps only the top-k tokens and the top-p nucleus', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (values, topK, seed) => {
          const logits = Float32Array.from(values);
          const chosen = sampleToken(logits, { temperature: 0.7, topP: 1, topK }, createSeededRandom(seed));
          const larger = values.filter((value) => value > logits[chosen]!).length;
          expect(larger).toBeLessThan(topK);
        },
      ),
    );
    // The most likely token holds 0.7 of the mass, so top_p 0.5 leaves it alone.
    const logits = Float32Array.of(Math.log(1), Math.log(2), Math.log(7));
    const random = createSeededRandom(5);
    for (let draw = 0; draw < 100; draw++)
      expect(sampleToken(logits, { temperature: 1, topP: 0.5, topK: 0 }, random)).toBe(2);
  });

  it('gives the same tokens for the same seed', () => {
    const logits = Float32Array.from({ length: 100 }, (_, index) => Math.sin(index));
    const run = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 30 }, () =>
        sampleToken(logits, { temperature: 1.2, topP: 0.9, topK: 50 }, random),
      );
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

/** Logits shaped to hit every branch: ties, -Infinity, +Infinity, -0, huge and tiny spreads. */
const logitsArbitrary = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.float({ noNaN: true }),
        fc.constantFrom(Number.NEGATIVE_INFINITY, 0, -0, 1, -1, 3.4e38, -3.4e38),
      ),
      { minLength: 1, maxLength: 60 },
    )
    .map((values) => Float32Array.from(values)),
  fc
    .record({
      length: fc.integer({ min: 1, max: 5000 }),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      spread: fc.constantFrom(1e-6, 0.5, 4, 20, 60, 200, 1e6, 3e38),
      tieLevels: fc.constantFrom(0, 0, 1, 2, 7, 50),
      negativeInfinityRate: fc.constantFrom(0, 0, 0.05, 0.5, 0.99, 1),
      positiveInfinityRate: fc.constantFrom(0, 0, 0, 0.001, 0.2),
    })
    .map(({ length, seed, spread, tieLevels, negativeInfinityRate, positiveInfinityRate }) => {
      const random = createSeededRandom(seed);
      return Float32Array.from({ length }, () => {
        const roll = random();
        if (roll < negativeInfinityRate) return Number.NEGATIVE_INFINITY;
        if (roll > 1 - positiveInfinityRate) return Number.POSITIVE_INFINITY;
        const unit = tieLevels > 0 ? Math.floor(random() * tieLevels) / tieLevels : random();
        return (unit - 0.5) * spread;
      });
    }),
);

const samplingOptionsArbitrary = fc.record({
  temperature: fc.oneof(
    fc.constantFrom(0, 1e-30, 0.05, 0.8, 1, 2, 1e30, Number.POSITIVE_INFINITY),
    fc.double({ min: 0.01, max: 5, noNaN: true }),
  ),
  topP: fc.oneof(
    fc.constantFrom(1, 0, -0.5, 0.5, 0.95, 0.999999, 1 - 2 ** -53, 1.5),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ),
  topK: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 10 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: -1, max: 6000 }),
  ),
});

/** A seeded source that now and then returns the extremes of [0, 1), where rounding slivers live. */
function edgyRandom(seed: number): () => number {
  const random = createSeededRandom(seed);
  return () => {
    const roll = random();
    if (roll < 0.1) return 0;
    if (roll > 0.9) return 1 - 2 ** -53;
    return random();
  };
}

/** The double `steps` representable values away from `value` (negative steps go down). */
function stepDouble(value: number, steps: number): number {
  const box = new Float64Array([value]);
  const bits = new BigInt64Array(box.buffer);
  bits[0] = bits[0]! + BigInt(steps);
  return box[0]!;
}

/**
 * Draws that land on, and a few ulps either side of, the boundaries between the kept tokens'
 * cumulative weights: where a last-bit difference in a weight or the total changes the token.
 */
function boundaryDraws(logits: Float32Array, options: TokenSamplingOptions): number[] {
  const values = Array.from(logits);
  const candidates = values.flatMap((value, index) => (value > Number.NEGATIVE_INFINITY ? [index] : []));
  candidates.sort((left, right) => values[right]! - values[left]! || left - right);
  const kept = options.topK > 0 ? candidates.slice(0, options.topK) : candidates;
  const maximum = values[kept[0] ?? 0]!;
  const weights = kept.map((index) => Math.exp((values[index]! - maximum) / options.temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const draws = [1 - 2 ** -53];
  let cumulative = 0;
  for (const weight of weights.slice(0, 6)) {
    cumulative += weight;
    const draw = cumulative / total;
    for (let steps = -2; steps <= 2; steps++) {
      const stepped = stepDouble(draw, steps);
      if (stepped >= 0 && stepped < 1) draws.push(stepped);
    }
  }
  return draws;
}

describe('sampleToken against the reference sampler', () => {
  it('picks the same token on every draw for any logits, options and seed', () => {
    fc.assert(
      fc.property(
        logitsArbitrary,
        samplingOptionsArbitrary,
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.boolean(),
        (logits, options, seed, edgy) => {
          const fast = edgy ? edgyRandom(seed) : createSeededRandom(seed);
          const reference = edgy ? edgyRandom(seed) : createSeededRandom(seed);
          for (let draw = 0; draw < 3; draw++) {
            expect(sampleToken(logits, options, fast)).toBe(referenceSampleToken(logits, options, reference));
          }
          // Both consumed the same number of draws.
          expect(fast()).toBe(reference());
        },
      ),
      { numRuns: 2_500 },
    );
  });

  it('picks the same token for draws on the boundaries between tokens, to the last bit', () => {
    fc.assert(
      fc.property(logitsArbitrary, samplingOptionsArbitrary, (logits, options) => {
        if (!(options.temperature > 0)) return;
        for (const draw of boundaryDraws(logits, options)) {
          expect(sampleToken(logits, options, () => draw)).toBe(
            referenceSampleToken(logits, options, () => draw),
          );
        }
      }),
      { numRuns: 1_000 },
    );
    // A thousand random vocabularies, each drawn at every boundary: 24 s seen beside a full suite.
  }, 90_000);

  it('orders the negligible tail of a top-k cut exactly when a draw spills into it', () => {
    // A few significant tokens among many tied ones far below (weight under 2^-53): a draw at
    // the top of [0, 1) can leave a rounding sliver that the tail consumes, or fall through to
    // the k-th kept token, so which tied tail token comes where matters.
    const options = { temperature: 1, topP: 1, topK: 200 }; // Above the insertion top-k limit.
    const random = createSeededRandom(1);
    let spilled = 0;
    for (let trial = 0; trial < 400; trial++) {
      const logits = new Float32Array(300).fill(-40.5);
      const significant = 1 + Math.floor(random() * 6);
      for (let token = 0; token < significant; token++) {
        logits[token * 3] = token === 0 ? 0 : Math.fround(-random() * (random() < 0.5 ? 38 : 3));
      }
      for (const draw of [1 - 2 ** -53, 1 - 2 ** -52, 1 - 3 * 2 ** -53]) {
        const expected = referenceSampleToken(logits, options, () => draw);
        if (logits[expected] === Math.fround(-40.5)) spilled++;
        expect(sampleToken(logits, options, () => draw)).toBe(expected);
      }
    }
    expect(spilled).toBeGreaterThan(2);
  });
});
