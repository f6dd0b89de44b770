import type { GenerationResult, GenerationStep } from '../../generation/model-contracts.js';

export type GenerationRun = AsyncGenerator<GenerationStep, GenerationResult>;

export type GenerationEvent =
  | { kind: 'delta'; choice: number; text: string }
  | { kind: 'finished'; choice: number; result: GenerationResult };

/** Runs each generation to its end, concurrently; results in choice order. */
export async function collectGenerations(runs: readonly GenerationRun[]): Promise<GenerationResult[]> {
  return Promise.all(
    runs.map(async (run) => {
      for (;;) {
        const next = await run.next();
        if (next.done) return next.value;
      }
    }),
  );
}

/**
 * Steps several generations in rounds (every active one advances one token per round, all
 * awaited together so a batching engine can run them as one batch) and yields their events
 * in choice order within a round. The order of events is therefore the same on every run,
 * which a resumable stream relies on. Ending the iteration early ends every generation.
 *
 * @example
 * for await (const event of interleaveGenerations([runA, runB])) if (event.kind === 'delta') write(event);
 */
export async function* interleaveGenerations(
  runs: readonly GenerationRun[],
): AsyncGenerator<GenerationEvent> {
  let active = runs.map((run, choice) => ({ run, choice }));
  try {
    while (active.length > 0) {
      const steps = await Promise.all(active.map((entry) => entry.run.next()));
      const stillActive: typeof active = [];
      for (const [position, step] of steps.entries()) {
        const entry = active[position]!;
        if (step.done) {
          yield { kind: 'finished', choice: entry.choice, result: step.value };
          continue;
        }
        stillActive.push(entry);
        if (step.value.textDelta !== '')
          yield { kind: 'delta', choice: entry.choice, text: step.value.textDelta };
      }
      active = stillActive;
    }
  } finally {
    await Promise.all(active.map((entry) => entry.run.return(undefined as never).catch(() => undefined)));
  }
}
