/** One contender of a side-by-side comparison: runs once and returns one sample (e.g. requests/s). */
export type Contender = () => Promise<number>;

export interface InterleaveOptions {
  rounds: number;
  /** Unrecorded rounds first, so JIT warm-up and connection set-up are not measured. */
  warmupRounds: number;
  /** Called between contenders, e.g. to let sockets settle. */
  pause?: () => Promise<void>;
}

/**
 * Runs contenders in interleaved rounds (A B C, B C A, C A B, ...) and returns each one's samples
 * in round order. Interleaving makes machine noise (other processes, thermal changes, GC of
 * earlier rounds) hit every contender alike; rotating the start cancels any advantage of going
 * first or last in a round.
 */
export async function runInterleaved<Name extends string>(
  contenders: Readonly<Record<Name, Contender>>,
  options: InterleaveOptions,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(contenders) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
    const order = names.map((_, index) => names[(index + round) % names.length]!);
    for (const name of order) {
      const sample = await contenders[name]();
      if (round >= options.warmupRounds) samples[name].push(sample);
      await options.pause?.();
    }
  }
  return samples;
}
