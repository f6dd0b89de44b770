import { describe, expect, it } from 'vitest';
import { runInterleaved } from '../../bench/harness/interleaved-rounds.js';

describe("the bench's interleaved rounds", () => {
  it('put each contender right after each other one equally often, and record only the measured rounds', async () => {
    const ran: string[] = [];
    const contender = (name: string) => async () => {
      ran.push(name);
      return ran.length;
    };
    const samples = await runInterleaved(
      { aiaas: contender('aiaas'), raw: contender('raw'), openai: contender('openai') },
      { rounds: 6, warmupRounds: 0 },
    );
    expect(Object.values(samples).map((each) => each.length)).toEqual([6, 6, 6]);
    // Who ran just before whom, within rounds and across their boundaries.
    const after: Record<string, Record<string, number>> = {};
    for (let index = 1; index < ran.length; index++) {
      const [before, name] = [ran[index - 1]!, ran[index]!];
      if (before === name) continue;
      after[name] ??= {};
      after[name][before] = (after[name][before] ?? 0) + 1;
    }
    for (const name of ['aiaas', 'raw', 'openai']) {
      const counts = Object.values(after[name] ?? {});
      expect(counts).toHaveLength(2);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });
});
