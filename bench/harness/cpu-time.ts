/** Wall-clock and CPU time of one piece of work, in milliseconds. */
export interface TimedWork<Result> {
  result: Result;
  wallMs: number;
  /**
   * CPU time of this whole process (user + system, all its threads) meanwhile. On a shared,
   * busy machine it is the steadier measure: time spent waiting for a core does not count.
   */
  cpuMs: number;
}

export async function timeWork<Result>(work: () => Promise<Result>): Promise<TimedWork<Result>> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
