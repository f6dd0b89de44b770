/*
 * The draw without a cut needs `Math.exp` of every logit (4,096 for ref-chat, where every logit is
 * within a few nats of the maximum), which is most of the sampler's time. So the draw is first
 * made with a cheaper exp ({@link approximateExp}, relative error below 1e-10) and kept only when
 * it is certain to be the exact draw's token; otherwise (about once in 10^4 draws) the exact
 * weights are computed with the same random number. Why certain: the exact draw picks the first
 * candidate at which `random * total` minus the running sum of weights goes below 0, which
 * does not change when every weight is scaled alike. Every exact weight (scaled) is within
 * 1e-10 (relative) of its approximation plus 1 ulp for `Math.exp`, and the
 * rounding of n float64 additions moves a sum by at most n * 2^-53 of it (≈ 5e-13 for n = 4,096),
 * so every exact running difference is within 4e-10 * total of the approximate one. A token
 * whose approximate difference crosses 0 with `certainMargin * total` (1e-8) to spare on both
 * sides is therefore the exact draw's token; running differences only decrease, so no earlier
 * candidate can have crossed first.
 */
const certainMargin = 1e-8;
const exponentSteps = 64;
const stepsPerLog2 = exponentSteps / Math.LN2;
const log2PerStep = Math.LN2 / exponentSteps;
/** 2^(j / 64) for j in [0, 64). */
const fractionalPowers = Float64Array.from(
  { length: exponentSteps },
  (_, step) => 2 ** (step / exponentSteps),
);
/** 2^m for m in [-1100, 1100], at index m + 1100 (0 below 2^-1074, Infinity above 2^1023). */
const powersOfTwo = Float64Array.from({ length: 2201 }, (_, index) => 2 ** (index - 1100));
/** Adding and subtracting 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer. */
const roundingShift = 6755399441055744;

/**
 * exp(x) within 1e-10 (relative) for |x| <= 700; 0 below -700, Infinity above 700, NaN for
 * NaN: x = k ln2 / 64 + r with |r| <= ln2 / 128, exp(x) = 2^(k / 64) exp(r), 2^(k / 64) from
 * two tables and exp(r) by its degree-4 Taylor polynomial (remainder below r^5 / 120 < 4e-14).
 */
function approximateExp(exponent: number): number {
  if (exponent < -700) return 0;
  if (exponent > 700) return Number.POSITIVE_INFINITY;
  const steps = exponent * stepsPerLog2 + roundingShift - roundingShift;
  const rest = exponent - steps * log2PerStep;
  const step = steps | 0;
  const polynomial = 1 + rest * (1 + rest * (0.5 + rest * (1 / 6 + rest * (1 / 24))));
  return fractionalPowers[step & (exponentSteps - 1)]! * powersOfTwo[(step >> 6) + 1100]! * polynomial;
}

/**
 * Weighs every candidate (logit above -Infinity; the others weigh 0) by approximately
 * `exp((logit - reference) / temperature)` into `scratch` and returns the total. Weights need
 * only be proportional to the exact ones (which use the maximum logit), so `reference` may be
 * any candidate's logit; a total that is not finite (an overflow, a NaN) cannot be used.
 *
 * @example
 * const total = approximateUncutWeights(logits, logits[0], 1, scratch);
 * const token = certainUncutPick(scratch, logits.length, total, random());
 */
export function approximateUncutWeights(
  logits: Float32Array,
  reference: number,
  temperature: number,
  scratch: Float64Array,
): number {
  const length = logits.length;
  let total = 0;
  for (let index = 0; index < length; index++) {
    const value = logits[index]!;
    // A -Infinity logit weighs 0: the running difference cannot cross 0 there.
    const weight = value > Number.NEGATIVE_INFINITY ? approximateExp((value - reference) / temperature) : 0;
    scratch[index] = weight;
    total += weight;
  }
  return total;
}

/**
 * The token the uncut draw `draw` (in [0, 1)) picks, from the approximate `weights` of
 * {@link approximateUncutWeights} and their `total`, or -1 when the approximation cannot be
 * certain of it: then the caller computes the exact weights and draws with the same number.
 *
 * @example
 * const token = certainUncutPick(scratch, logits.length, total, draw);
 * if (token === -1) return exactDraw(draw);
 */
export function certainUncutPick(weights: Float64Array, length: number, total: number, draw: number): number {
  // The reference candidate weighs 1, so a usable total is at least 1.
  if (!(total >= 1 && total < Number.POSITIVE_INFINITY)) return -1;
  const target = draw * total;
  const margin = certainMargin * total;
  let cumulative = 0;
  for (let index = 0; index < length; index++) {
    const before = cumulative;
    cumulative += weights[index]!;
    if (cumulative > target) {
      return target - before > margin && cumulative - target > margin ? index : -1;
    }
  }
  return -1;
}
