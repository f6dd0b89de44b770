import { describe, expect, it } from 'vitest';
import { createSeededRandom, sampleToken } from '../../../../src/server/generation/sampler.js';

/**
 * The draw without a cut is made from approximate weights and kept only when it is certain to be
 * the exact draw's token. These tests aim at that certainty: draws that land exactly on a boundary
 * between two tokens (where only the exact weights can decide), and many draws from logits shaped
 * like ref-chat's (4,096 tokens within a few nats of each other), against the plain algorithm.
 */
function exactUncutDraw(logits: Float32Array, temperature: number, draw: number): number {
  return exactUncutSampler(logits, temperature)(draw);
}

/** {@link exactUncutDraw} for many draws from the same logits: the weights are made once. */
function exactUncutSampler(logits: Float32Array, temperature: number): (draw: number) => number {
  let maximum = Number.NEGATIVE_INFINITY;
  for (const value of logits) if (value > maximum) maximum = value;
  const candidates: number[] = [];
  for (let index = 0; index < logits.length; index++) {
    if (logits[index]! > Number.NEGATIVE_INFINITY) candidates.push(index);
  }
  const weights = candidates.map((index) => Math.exp((logits[index]! - maximum) / temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return (draw) => {
    let remaining = draw * total;
    for (const [position, weight] of weights.entries()) {
      remaining -= weight;
      if (remaining < 0) return candidates[position]!;
    }
    return candidates[candidates.length - 1]!;
  };
}

const uncut = { topP: 1, topK: 0 };

describe('sampleToken without a cut', () => {
  it('decides draws that land exactly on a boundary between tokens as the exact weights do', () => {
    // Equal logits weigh 1 each: a draw of k / n lands exactly where token k - 1 ends and token k starts.
    for (const size of [2, 3, 7, 64, 4096]) {
      const logits = new Float32Array(size).fill(0.25);
      for (const boundary of [0, 1, Math.floor(size / 2), size - 1]) {
        const draw = boundary / size;
        const picked = sampleToken(logits, { temperature: 1, ...uncut }, () => draw);
        expect(picked).toBe(exactUncutDraw(logits, 1, draw));
      }
    }
  });

  it('decides draws within a hair of a boundary as the exact weights do', () => {
    const logits = Float32Array.of(0, Math.log(3), -1.5, 0.5, Number.NEGATIVE_INFINITY, 2);
    const maximum = 2;
    const weights = Array.from(logits, (value) =>
      value > Number.NEGATIVE_INFINITY ? Math.exp(value - maximum) : 0,
    );
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let boundary = 0;
    for (const weight of weights) {
      boundary += weight;
      for (const offset of [-1e-9, -1e-15, 0, 1e-15, 1e-9]) {
        const draw = Math.min(Math.max(boundary / total + offset, 0), 1 - 2 ** -53);
        const picked = sampleToken(logits, { temperature: 1, ...uncut }, () => draw);
        expect(picked).toBe(exactUncutDraw(logits, 1, draw));
      }
    }
  });

  it('picks what the exact weights pick over 20,000 draws from logits shaped like ref-chat', () => {
    const random = createSeededRandom(2024);
    const logits = new Float32Array(4096);
    const differences: {
      round: number;
      temperature: number;
      value: number;
      picked: number;
      exact: number;
    }[] = [];
    for (let round = 0; round < 20; round++) {
      for (let index = 0; index < logits.length; index++) logits[index] = (random() - 0.5) * 12;
      logits[4094] = Number.NEGATIVE_INFINITY;
      for (const temperature of [1, 0.7]) {
        const exact = exactUncutSampler(logits, temperature);
        for (let draw = 0; draw < 500; draw++) {
          const value = random();
          const picked = sampleToken(logits, { temperature, ...uncut }, () => value);
          if (picked !== exact(value))
            differences.push({ round, temperature, value, picked, exact: exact(value) });
        }
      }
    }
    expect(differences).toEqual([]);
  });
});
