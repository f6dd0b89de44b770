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
 * Runs contenders in interleaved rounds and returns each one's samples in round order.
 * Interleaving makes machine noise (other processes, thermal changes) hit every contender alike;
 * rotating the start cancels any advantage of going first or last in a round. Every other round
 * runs in reverse (A B C, C B A, B C A, A C B, ...): a plain rotation keeps the cyclic order, so
 * one contender would always run right after the same other one and pay for its garbage (the
 * stream bench's AiaasClient always came after the openai client's).
 */
export async function runInterleaved<Name extends string>(
  contenders: Readonly<Record<Name, Contender>>,
  options: InterleaveOptions,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(contenders) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
    const rotated = names.map((_, index) => names[(index + Math.floor(round / 2)) % names.length]!);
    const order = round % 2 === 0 ? rotated : rotated.reverse();
    for (const name of order) {
      const sample = await contenders[name]();
      if (round >= options.warmupRounds) samples[name].push(sample);
      await options.pause?.();
    }
  }
  return samples;
}
