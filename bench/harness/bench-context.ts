import type { BenchSize } from './result-types.js';

/** What every benchmark is given by the runner. */
export interface BenchContext {
  size: BenchSize;
  /** Progress lines (to stderr, so stdout carries only the table). */
  log: (line: string) => void;
  /** Unrecorded rounds before the measured ones: 1 at full size, none at tiny (it only proves the harness). */
  warmupRounds: number;
}

/** Picks the value for the run's size: `tiny` proves the harness works in seconds, `full` measures. */
export function bySize<Value>(size: BenchSize, values: { tiny: Value; full: Value }): Value {
  return values[size];
}
