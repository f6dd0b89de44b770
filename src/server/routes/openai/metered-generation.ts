import type { UsageMeter } from '../../http/usage-meter.js';
import type { GenerationRun } from './interleaved-generations.js';

/**
 * Wraps a generation so each sampled token is metered as output the moment it is produced
 * (every step is one sampled token, and their count is the result's `completionTokens`).
 * A generation cut short (the client left, a fault cut the stream) is then billed for the
 * tokens it really generated, not for none. Ending the wrapper early ends the generation.
 *
 * @example
 * const runs = options.map((sampling) => meteredGeneration(chat.generate(ids, sampling, meter, signal), meter));
 */
export async function* meteredGeneration(run: GenerationRun, meter: UsageMeter): GenerationRun {
  let finished = false;
  try {
    for (;;) {
      const next = await run.next();
      if (next.done) {
        finished = true;
        return next.value;
      }
      meter.addTokens({ output: 1 });
      yield next.value;
    }
  } finally {
    if (!finished) await run.return(undefined as never).catch(() => undefined);
  }
}
