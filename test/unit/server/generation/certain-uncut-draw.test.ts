import { describe, expect, it } from 'vitest';
import {
  approximateRunningTotals,
  certainUncutPick,
} from '../../../../src/server/generation/certain-uncut-draw.js';
import { createSeededRandom } from '../../../../src/server/generation/sampler.js';

/** The approximate weight of one logit: the total of a row that holds only it. */
function approximateWeight(logit: number, reference: number, temperature: number): number {
  return approximateRunningTotals(Float32Array.of(logit), reference, temperature, new Float64Array(1));
}

describe('approximateRunningTotals', () => {
  it('weighs every logit, and sums them, within 1e-10 (relative) of Math.exp, at any temperature', () => {
    const random = createSeededRandom(7);
    const logits = new Float32Array(4096);
    const runningTotals = new Float64Array(logits.length);
    let worstWeight = 0;
    let worstRunningTotal = 0;
    // Logits 1.3 apart at most: at 0.002 the exponents span ±650, near the end of the exp range.
    for (const temperature of [1, 0.7, 0.05, 2, 0.002]) {
      for (let index = 0; index < logits.length; index++) logits[index] = (random() - 0.5) * 1.3;
      const reference = logits[0]!;
      const total = approximateRunningTotals(logits, reference, temperature, runningTotals);
      let exactTotal = 0;
      for (let index = 0; index < logits.length; index++) {
        const exact = Math.exp((logits[index]! - reference) / temperature);
        exactTotal += exact;
        const weight = approximateWeight(logits[index]!, reference, temperature);
        worstWeight = Math.max(worstWeight, Math.abs(weight - exact) / exact);
        worstRunningTotal = Math.max(
          worstRunningTotal,
          Math.abs(runningTotals[index]! - exactTotal) / exactTotal,
        );
      }
      expect(total).toBe(runningTotals[logits.length - 1]);
      expect(Math.abs(total - exactTotal) / exactTotal).toBeLessThan(1e-10);
    }
    expect(worstWeight).toBeLessThan(1e-10);
    expect(worstRunningTotal).toBeLessThan(1e-10);
  });

  it('weighs -Infinity as 0, overflows to Infinity and underflows to 0 past the exp range', () => {
    const logits = Float32Array.of(0, Number.NEGATIVE_INFINITY, 800, -800, 1);
    const runningTotals = new Float64Array(logits.length);
    const total = approximateRunningTotals(logits, 0, 1, runningTotals);
    expect([...runningTotals]).toEqual([
      1,
      1,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(total).toBe(Number.POSITIVE_INFINITY);
    expect(approximateWeight(Number.NEGATIVE_INFINITY, 0, 1)).toBe(0);
    expect(approximateWeight(-800, 0, 1)).toBe(0);
    expect(Math.abs(approximateWeight(1, 0, 1) / Math.E - 1)).toBeLessThan(1e-10);
    // A NaN logit is no candidate; a NaN exponent (Infinity less Infinity) makes the total unusable.
    expect(approximateWeight(Number.NaN, 0, 1)).toBe(0);
    expect(approximateWeight(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1)).toBeNaN();
  });
});

describe('certainUncutPick', () => {
  it('picks the first token whose running total passes the draw, as a scan from the start does', () => {
    const random = createSeededRandom(11);
    const logits = Float32Array.from({ length: 4096 }, () => (random() - 0.5) * 6);
    // Some tokens are ruled out: their running total stays where it was.
    for (let index = 0; index < logits.length; index += 17) logits[index] = Number.NEGATIVE_INFINITY;
    logits[1] = 0;
    const runningTotals = new Float64Array(logits.length);
    const total = approximateRunningTotals(logits, 0, 0.8, runningTotals);
    let picked = 0;
    for (let draw = 0; draw < 2000; draw++) {
      const value = random();
      const target = value * total;
      const scanned = runningTotals.findIndex((runningTotal) => runningTotal > target);
      const pick = certainUncutPick(runningTotals, logits.length, total, value);
      if (pick === -1) continue;
      picked++;
      expect(pick).toBe(scanned);
      expect(logits[pick]).toBeGreaterThan(Number.NEGATIVE_INFINITY);
    }
    expect(picked).toBeGreaterThan(1990);
  });

  it('is not certain of a draw on a boundary, nor of a total it cannot use', () => {
    const runningTotals = Float64Array.of(1, 2, 3, 4);
    expect(certainUncutPick(runningTotals, 4, 4, 0.5)).toBe(-1);
    expect(certainUncutPick(runningTotals, 4, 4, 0.6)).toBe(2);
    expect(certainUncutPick(runningTotals, 4, Number.POSITIVE_INFINITY, 0.6)).toBe(-1);
    expect(certainUncutPick(runningTotals, 4, Number.NaN, 0.6)).toBe(-1);
  });
});
