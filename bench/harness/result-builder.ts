import type { Comparison, Figure, Ratio, Target } from './result-types.js';
import { median, pairedRatios, spreadOf } from './statistics.js';

/** A target before it is judged. */
export interface TargetSpec {
  comparison: Comparison;
  value: number;
}

export function judge(value: number, spec: TargetSpec): Target {
  const pass =
    spec.comparison === '>='
      ? value >= spec.value
      : spec.comparison === '>'
        ? value > spec.value
        : spec.comparison === '<='
          ? value <= spec.value
          : value < spec.value;
  return { comparison: spec.comparison, value: spec.value, pass };
}

export interface FigureSpec {
  id: string;
  label: string;
  unit: string;
  target?: TargetSpec;
}

export function makeFigure(spec: FigureSpec, samples: readonly number[]): Figure {
  const value = median(samples);
  const figure: Figure = {
    id: spec.id,
    label: spec.label,
    unit: spec.unit,
    median: value,
    spread: spreadOf(samples),
    rounds: samples.length,
  };
  if (spec.target) figure.target = judge(value, spec.target);
  return figure;
}

export interface RatioSpec {
  id: string;
  label: string;
  target?: TargetSpec;
}

/** Ratio of two figures' samples, paired round by round (the samples must come from the same rounds). */
export function makeRatio(
  spec: RatioSpec,
  numerator: { id: string; samples: readonly number[] },
  denominator: { id: string; samples: readonly number[] },
): Ratio {
  const ratios = pairedRatios(numerator.samples, denominator.samples);
  const value = median(ratios);
  const ratio: Ratio = {
    id: spec.id,
    label: spec.label,
    numerator: numerator.id,
    denominator: denominator.id,
    value,
    spread: spreadOf(ratios),
  };
  if (spec.target) ratio.target = judge(value, spec.target);
  return ratio;
}
