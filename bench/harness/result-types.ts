import type { Spread } from './statistics.js';

/** How a figure or ratio is judged against its target. */
export type Comparison = '>=' | '<=' | '<' | '>';

export interface Target {
  comparison: Comparison;
  value: number;
  pass: boolean;
}

/** One measured quantity: the median over rounds and how much the rounds disagreed. */
export interface Figure {
  id: string;
  label: string;
  unit: string;
  median: number;
  spread: Spread;
  rounds: number;
  /** Present when the figure itself has a target (an absolute limit rather than a ratio). */
  target?: Target;
}

/**
 * A comparison of two figures of the same run. The value is the median of the per-round
 * ratios: rounds were interleaved, so each pair saw the same machine conditions.
 */
export interface Ratio {
  id: string;
  label: string;
  numerator: string;
  denominator: string;
  value: number;
  spread: Spread;
  target?: Target;
}

export interface BenchmarkResult {
  name: string;
  title: string;
  /** Method notes and anything that limits what the numbers mean. */
  notes: string[];
  figures: Figure[];
  ratios: Ratio[];
  durationMs: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  /** 1, 5 and 15 minute load averages at the start: other work on the machine shows up here. */
  loadAverageAtStart: number[];
}

export interface BenchRun {
  schemaVersion: 1;
  size: BenchSize;
  /** Whether the SDK measured was the build (what users run) or the sources under tsx. */
  sdk: 'built' | 'source';
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  benchmarks: BenchmarkResult[];
  targets: { passed: number; failed: number };
}

export type BenchSize = 'tiny' | 'full';
