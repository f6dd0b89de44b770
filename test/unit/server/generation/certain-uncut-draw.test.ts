import { describe, expect, it } from 'vitest';
import { approximateUncutWeights } from '../../../../src/server/generation/certain-uncut-draw.js';
import { createSeededRandom } from '../../../../src/server/generation/sampler.js';

describe('approximateUncutWeights', () => {
  it('weighs every logit within 1e-10 (relative) of Math.exp, at any temperature', () => {
    const random = createSeededRandom(7);
    const logits = new Float32Array(4096);
    const weights = new Float64Array(logits.length);
    let worst = 0;
    // Logits 1.3 apart at most: at 0.002 the exponents span ±650, near the end of the exp range.
    for (const temperature of [1, 0.7, 0.05, 2, 0.002]) {
      for (let index = 0; index < logits.length; index++) logits[index] = (random() - 0.5) * 1.3;
      const reference = logits[0]!;
      const total = approximateUncutWeights(logits, reference, temperature, weights);
      let exactTotal = 0;
      for (let index = 0; index < logits.length; index++) {
        const exact = Math.exp((logits[index]! - reference) / temperature);
        exactTotal += exact;
        worst = Math.max(worst, Math.abs(weights[index]! - exact) / exact);
      }
      expect(Math.abs(total - exactTotal) / exactTotal).toBeLessThan(1e-10);
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('weighs -Infinity as 0, overflows to Infinity and underflows to 0 past the exp range', () => {
    const logits = Float32Array.of(0, Number.NEGATIVE_INFINITY, 800, -800, 1);
    const weights = new Float64Array(logits.length);
    const total = approximateUncutWeights(logits, 0, 1, weights);
    expect([...weights]).toEqual([1, 0, Number.POSITIVE_INFINITY, 0, weights[4]]);
    expect(weights[4]! / Math.E - 1).toBeLessThan(1e-10);
    expect(total).toBe(Number.POSITIVE_INFINITY);
  });
});
