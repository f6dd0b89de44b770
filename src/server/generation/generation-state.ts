import type { ChatTokenizer } from './chat-tokenizer.js';
import { ConstrainedSequence } from './constrained/constrained-sequence.js';
import { TokenVocabulary } from './constrained/token-vocabulary.js';
import type {
  GenerationFinishReason,
  GenerationResult,
  GenerationStep,
  SamplingOptions,
} from './model-contracts.js';
import { createSeededRandom, sampleToken } from './sampler.js';
import { StopSequenceFilter } from './stop-sequence-filter.js';

/** What one {@link GenerationState.step} did: a step, and the result once the sequence is finished. */
export type GenerationStateOutcome =
  | { done: false; step: GenerationStep }
  | { done: true; step: GenerationStep; result: GenerationResult };

/**
 * The decoding state of one sequence: its context window, its seeded random stream, its
 * text and stop handling. It never runs the model itself, so a scheduler can put the windows
 * of many states into one batch (`writeContext`), run the model once, and hand each state
 * its row of logits (`step`).
 *
 * `completionTokens` counts every sampled token, including the end-of-text token and the
 * token that completed a stop sequence: each one cost a forward pass.
 *
 * @example
 * const state = new GenerationState(tokenizer, promptIds, options);
 * while (!state.done) {
 *   state.writeContext(batch, 0);
 *   const outcome = state.step(await logits(batch, 1));
 * }
 */
export class GenerationState {
  readonly #tokenizer: ChatTokenizer;
  readonly #options: SamplingOptions;
  readonly #random: () => number;
  readonly #window: BigInt64Array;
  /** The row being sampled, copied so the caller's logits are left as they were. */
  readonly #logits: Float32Array;
  readonly #decoder: { push(id: number): string; flush(): string };
  readonly #filter: StopSequenceFilter;
  readonly #constrained: ConstrainedSequence | undefined;
  #text = '';
  #completionTokens = 0;
  #result: GenerationResult | undefined;

  constructor(tokenizer: ChatTokenizer, promptIds: readonly number[], options: SamplingOptions) {
    this.#tokenizer = tokenizer;
    this.#options = options;
    this.#random = createSeededRandom(options.seed);
    this.#decoder = tokenizer.createStreamDecoder();
    this.#filter = new StopSequenceFilter(options.stop);
    this.#logits = new Float32Array(tokenizer.vocabSize);
    if (options.constraint !== undefined)
      this.#constrained = new ConstrainedSequence(TokenVocabulary.of(tokenizer), options.constraint);
    // The network sees a fixed window: the last `contextLength` prompt ids, left-padded as in training.
    this.#window = new BigInt64Array(tokenizer.contextLength).fill(BigInt(tokenizer.padId));
    const kept = promptIds.slice(-tokenizer.contextLength);
    kept.forEach((id, index) => {
      this.#window[tokenizer.contextLength - kept.length + index] = BigInt(id);
    });
    if (!(options.maxTokens > 0)) this.#result = { text: '', completionTokens: 0, finishReason: 'length' };
  }

  get done(): boolean {
    return this.#result !== undefined;
  }

  /** The finished sequence's result, once `done`. */
  get result(): GenerationResult | undefined {
    return this.#result;
  }

  /** Copies the current context window into row `row` of a `batch x contextLength` buffer. */
  writeContext(batch: BigInt64Array, row: number): void {
    batch.set(this.#window, row * this.#tokenizer.contextLength);
  }

  /** Samples the next token from this sequence's row of logits and advances the state. */
  step(logitsRow: Float32Array): GenerationStateOutcome {
    if (this.#result !== undefined) throw new Error('This sequence has already finished.');
    const tokenizer = this.#tokenizer;
    if (logitsRow.length !== tokenizer.vocabSize) {
      throw new RangeError(`Expected ${tokenizer.vocabSize} logits, got ${logitsRow.length}.`);
    }
    const logits = this.#logits;
    logits.set(logitsRow);
    // The unknown token has no text to show, so it is never generated.
    logits[tokenizer.unknownId] = Number.NEGATIVE_INFINITY;
    if (this.#constrained !== undefined) return this.#constrainedStep(this.#constrained);
    const tokenId = sampleToken(logits, this.#options, this.#random);
    this.#completionTokens++;

    if (tokenId === tokenizer.endOfTextId) return this.#finish(tokenId, '', 'stop');

    this.#window.copyWithin(0, 1);
    this.#window[this.#window.length - 1] = BigInt(tokenId);
    const output = this.#filter.push(this.#decoder.push(tokenId));
    if (output.stopped) return this.#finish(tokenId, output.text, 'stop');
    if (this.#completionTokens >= this.#options.maxTokens)
      return this.#finish(tokenId, output.text, 'length');
    this.#text += output.text;
    return { done: false, step: { tokenId, textDelta: output.text } };
  }

  /** A step of constrained decoding: its text is the piece itself, and the sequence ends with the value. */
  #constrainedStep(constrained: ConstrainedSequence): GenerationStateOutcome {
    const remaining = this.#options.maxTokens - this.#completionTokens;
    const piece = constrained.next(this.#logits, remaining, (masked) =>
      sampleToken(masked, this.#options, this.#random),
    );
    this.#completionTokens++;
    this.#window.copyWithin(0, 1);
    this.#window[this.#window.length - 1] = BigInt(piece.tokenId);
    this.#text += piece.text;
    const step = { tokenId: piece.tokenId, textDelta: piece.text };
    if (!constrained.finished && this.#completionTokens < this.#options.maxTokens)
      return { done: false, step };
    const finishReason = constrained.finished ? 'stop' : 'length';
    const result: GenerationResult = {
      text: this.#text,
      completionTokens: this.#completionTokens,
      finishReason,
    };
    this.#result = result;
    return { done: true, step, result };
  }

  #finish(tokenId: number, textDelta: string, reason: GenerationFinishReason): GenerationStateOutcome {
    let delta = textDelta;
    let finishReason = reason;
    if (!this.#filter.stopped) {
      // Bytes of an unfinished character and any held-back tail are released now; the tail may still hit a stop.
      const tail = this.#filter.push(this.#decoder.flush());
      delta += tail.text + this.#filter.flush();
      if (tail.stopped) finishReason = 'stop';
    }
    this.#text += delta;
    const result: GenerationResult = {
      text: this.#text,
      completionTokens: this.#completionTokens,
      finishReason,
    };
    this.#result = result;
    return { done: true, step: { tokenId, textDelta: delta }, result };
  }
}
