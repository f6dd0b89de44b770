/*
 * The draw without a cut needs `Math.exp` of every logit (4,096 for ref-chat, where every logit is
 * within a few nats of the maximum), which is most of the sampler's time. So the draw is first
 * made with a cheaper exp (in {@link approximateRunningTotals}, relative error below 1e-10 with its
 * product by 1 / temperature) and kept only when it is certain to be the exact draw's token;
 * otherwise (about once in 10^4 draws) the exact weights are computed with the same random number.
 * Why certain: the exact draw picks the first candidate at which `random * total` minus the
 * running sum of weights goes below 0, which does not change when every weight is scaled alike.
 * Every exact weight (scaled) is within 1e-10 (relative) of its approximation plus 1 ulp for
 * `Math.exp`, and the rounding of n float64 additions moves a sum by at most n * 2^-53 of it
 * (≈ 5e-13 for n = 4,096), so every exact running difference is within 4e-10 * total of the
 * approximate one. A token whose approximate difference crosses 0 with `certainMargin * total`
 * (1e-8) to spare on both sides is therefore the exact draw's token; running differences only
 * decrease, so no earlier candidate can have crossed first.
 */
const certainMargin = 1e-8;
/** 2^(j / 1024) for j in [0, 1024). */
const fractionalPowers = Float64Array.from({ length: 1024 }, (_, step) => 2 ** (step / 1024));
/** 2^m for m in [-1100, 1100], at index m + 1100 (0 below 2^-1074, Infinity above 2^1023). */
const powersOfTwo = Float64Array.from({ length: 2201 }, (_, index) => 2 ** (index - 1100));

/**
 * Weighs every candidate (logit above -Infinity; the others weigh 0) by approximately
 * `exp((logit - reference) / temperature)` and writes the running total of the weights so far
 * into `runningTotals` (the sum in index order, rounded as the exact draw's running sum is), and
 * returns the total. Weights need only be proportional to the exact ones (which use the maximum
 * logit), so `reference` may be any candidate's logit; a total that is not finite (an overflow,
 * a NaN) cannot be used.
 *
 * The exp, within 1e-11 (relative) for |x| <= 700 (0 below, Infinity above, NaN for NaN):
 * x = k ln2 / 1024 + r with |r| <= ln2 / 2048, exp(x) = 2^(k / 1024) exp(r), 2^(k / 1024) from
 * the two tables and exp(r) by 1 + r + r^2 / 2 (remainder below |r|^3 / 6 * e^|r| < 7e-12). It
 * is written out in the loop with literal constants and the tables in locals: a bundler turns
 * module constants into `var`s, which V8 reloads and checks on every use (a third slower here).
 *
 * @example
 * const total = approximateRunningTotals(logits, logits[0], 1, scratch);
 * const token = certainUncutPick(scratch, logits.length, total, random());
 */
export function approximateRunningTotals(
  logits: Float32Array,
  reference: number,
  temperature: number,
  runningTotals: Float64Array,
): number {
  const fractional = fractionalPowers;
  const powers = powersOfTwo;
  // A product instead of a quotient per logit: it moves an exponent by at most 2 ulps, a weight by
  // under 700 * 2^-51 (3e-13, relative), well inside the error the certainty margin allows for.
  const inverseTemperature = 1 / temperature;
  const length = logits.length;
  let total = 0;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    // A -Infinity logit weighs 0: the running total does not move there.
    let weight = 0;
    if (value > Number.NEGATIVE_INFINITY) {
      const exponent = (value - reference) * inverseTemperature;
      if (exponent > 700) weight = Number.POSITIVE_INFINITY;
      else if (exponent >= -700) {
        // 1024 / ln 2 steps per unit; adding and subtracting 1.5 * 2^52 rounds to an integer.
        const steps = exponent * 1477.3197218702985 + 6755399441055744 - 6755399441055744;
        const rest = exponent - steps * 0.0006769015435155716; // ln 2 / 1024 per step
        const step = steps | 0;
        weight = fractional[step & 1023]! * powers[(step >> 10) + 1100]! * (1 + rest * (1 + rest * 0.5));
      } else if (Number.isNaN(exponent)) weight = Number.NaN;
    }
    total += weight;
    runningTotals[index] = total;
  }
  return total;
}

/**
 * The token the uncut draw `draw` (in [0, 1)) picks, from the approximate running totals of
 * {@link approximateRunningTotals} and their `total`, or -1 when the approximation cannot be
 * certain of it: then the caller computes the exact weights and draws with the same number.
 * Running totals never decrease, so the first one past the target is found by bisection.
 *
 * @example
 * const token = certainUncutPick(scratch, logits.length, total, draw);
 * if (token === -1) return exactDraw(draw);
 */
export function certainUncutPick(
  runningTotals: Float64Array,
  length: number,
  total: number,
  draw: number,
): number {
  // The reference candidate weighs 1, so a usable total is at least 1.
  if (!(total >= 1 && total < Number.POSITIVE_INFINITY)) return -1;
  const target = draw * total;
  const margin = certainMargin * total;
  let low = 0;
  let high = length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (runningTotals[middle]! > target) high = middle;
    else low = middle + 1;
  }
  const before = low === 0 ? 0 : runningTotals[low - 1]!;
  return target - before > margin && runningTotals[low]! - target > margin ? low : -1;
}
