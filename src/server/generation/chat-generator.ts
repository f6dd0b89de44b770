import type { ChatTokenizer } from './chat-tokenizer.js';
import { GenerationState } from './generation-state.js';
import type { GenerationResult, GenerationStep, LogitsFunction, SamplingOptions } from './model-contracts.js';

export { GenerationState, type GenerationStateOutcome } from './generation-state.js';

/**
 * Generates text from ref-chat one token at a time, one sequence per call. The model is
 * reached only through `logits`, so the same loop runs on an in-process session, a worker
 * pool or a test double.
 *
 * @example
 * const generator = new ChatGenerator(tokenizer, logits);
 * const run = generator.generate(tokenizer.encode(renderChatPrompt(messages)), options);
 * for (let next = await run.next(); !next.done; next = await run.next()) process.stdout.write(next.value.textDelta);
 */
export class ChatGenerator {
  readonly #tokenizer: ChatTokenizer;
  readonly #logits: LogitsFunction;

  constructor(tokenizer: ChatTokenizer, logits: LogitsFunction) {
    this.#tokenizer = tokenizer;
    this.#logits = logits;
  }

  /**
   * Yields one step per sampled token (its text delta may be empty while a character or a
   * possible stop sequence is incomplete) and returns the result; the deltas add up to
   * `result.text`. Same seed, prompt and options give the same text. Throws the signal's
   * reason when aborted.
   */
  async *generate(
    promptIds: readonly number[],
    options: SamplingOptions,
    signal?: AbortSignal,
  ): AsyncGenerator<GenerationStep, GenerationResult> {
    const state = new GenerationState(this.#tokenizer, promptIds, options);
    const context = new BigInt64Array(this.#tokenizer.contextLength);
    while (state.result === undefined) {
      signal?.throwIfAborted();
      state.writeContext(context, 0);
      const logits = await this.#logits(context, 1);
      signal?.throwIfAborted();
      const outcome = state.step(logits.subarray(0, this.#tokenizer.vocabSize));
      yield outcome.step;
      if (outcome.done) return outcome.result;
    }
    return state.result;
  }
}
