import { performance } from 'node:perf_hooks';

export interface ClosedLoopResult {
  completed: number;
  elapsedMs: number;
  /** Per-call latencies in milliseconds, when asked for. */
  latenciesMs: number[];
}

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  recordLatency?: boolean;
}

/**
 * Keeps `concurrency` calls in flight until the duration has passed (a closed loop: each worker
 * starts its next call when the previous one ends), then waits for the last ones. Elapsed time
 * runs to the last completion, so the rate is completions over the time they really took.
 */
export async function runClosedLoop(
  call: () => Promise<unknown>,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let completed = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  // Each worker makes at least one call: a machine that delays the start past the deadline
  // still gives a rate, not 0 (and a ratio of 0 or infinity).
  const worker = async () => {
    do {
      const callStarted = performance.now();
      await call();
      if (options.recordLatency) latenciesMs.push(performance.now() - callStarted);
      completed += 1;
    } while (performance.now() < deadline);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { completed, elapsedMs: performance.now() - started, latenciesMs };
}

/** Completions per second of a closed-loop run. */
export function ratePerSecond(result: ClosedLoopResult): number {
  return (result.completed / result.elapsedMs) * 1000;
}
