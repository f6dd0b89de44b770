import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, sampleToken } from '../../../src/server/models/sampler.js';

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
