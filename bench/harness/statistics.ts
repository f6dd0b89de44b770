/** Where the middle half of the samples lies, and the extremes, so a reader can judge the noise. */
export interface Spread {
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** The q-quantile (0..1) by linear interpolation between the closest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of no samples');
  const sorted = [...samples].sort((left, right) => left - right);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const lower = sorted[below]!;
  const upper = sorted[above]!;
  return lower + (upper - lower) * (position - below);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function spreadOf(samples: readonly number[]): Spread {
  return {
    p25: quantile(samples, 0.25),
    p75: quantile(samples, 0.75),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** Paired per-round ratios: each round's numerator over the same round's denominator. */
export function pairedRatios(numerators: readonly number[], denominators: readonly number[]): number[] {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`unpaired samples: ${numerators.length} vs ${denominators.length}`);
  }
  return numerators.map((value, index) => value / denominators[index]!);
}
