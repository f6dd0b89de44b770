import type { ChatTokenizer } from '../models/chat-tokenizer.js';
import { GenerationState } from '../models/generation-state.js';
import type { SamplingOptions } from '../models/model-contracts.js';
import type { DecodeAnswer, DecodeReport } from './sequence-messages.js';

/** Runs the chat model on `rows` context windows; logits come back row-major. */
export type LogitsRunner = (
  contexts: BigInt64Array,
  rows: number,
) => Promise<{ logits: Float32Array; computeMilliseconds: number }>;

export interface ContinuousDecodeBatcherInit {
  tokenizer: ChatTokenizer;
  runLogits: LogitsRunner;
  maxBatchSize: number;
  /** Receives each iteration's answers. */
  report(report: DecodeReport): void;
  /** Runs an iteration in turn with everything else that uses the model sessions. */
  enqueue(task: () => Promise<void>): void;
  key: string;
}

/**
 * Continuous batching for ref-chat, next to the model session (in a worker thread). It owns
 * the {@link GenerationState} of every open sequence; a sequence asks for its next token
 * with `requestStep`, and on the next turn one model run computes the logits of every
 * sequence that asked, each state samples from its own row, and the answers go back in one
 * report. Sequences join and leave between iterations. Sampling happens here, not on the
 * main thread, so the main thread only moves text to sockets; and since ref-chat's rows do
 * not depend on each other, a seed gives the same text alone or in any batch.
 *
 * @example
 * const batcher = new ContinuousDecodeBatcher({ tokenizer, runLogits, maxBatchSize: 32, report, enqueue, key });
 * batcher.open(1, promptIds, options);
 * batcher.requestStep(1); // a report with sequence 1's first token follows
 */
export class ContinuousDecodeBatcher {
  readonly #init: ContinuousDecodeBatcherInit;
  readonly #states = new Map<number, GenerationState>();
  /** Sequences waiting for a step, with when they asked, in the order they asked. */
  readonly #waiting = new Map<number, number>();
  #scheduled = false;

  constructor(init: ContinuousDecodeBatcherInit) {
    this.#init = init;
  }

  open(sequenceId: number, promptIds: readonly number[], options: SamplingOptions): void {
    this.#states.set(sequenceId, new GenerationState(this.#init.tokenizer, promptIds, options));
  }

  requestStep(sequenceId: number): void {
    this.#waiting.set(sequenceId, performance.now());
    this.#schedule();
  }

  close(sequenceId: number): void {
    this.#states.delete(sequenceId);
    this.#waiting.delete(sequenceId);
  }

  /** Open sequences: a pool puts new ones where there are fewest. */
  get openSequences(): number {
    return this.#states.size;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // The next turn: step requests already on their way (one message per main-thread turn) join this iteration.
    setImmediate(() =>
      this.#init.enqueue(async () => {
        this.#scheduled = false;
        await this.#iterate();
        if (this.#waiting.size > 0) this.#schedule();
      }),
    );
  }

  async #iterate(): Promise<void> {
    const answers: DecodeAnswer[] = [];
    const batch: { sequenceId: number; state: GenerationState }[] = [];
    const started = performance.now();
    let queueMilliseconds = 0;
    for (const [sequenceId, requestedAt] of this.#waiting) {
      if (batch.length >= this.#init.maxBatchSize) break;
      this.#waiting.delete(sequenceId);
      const state = this.#states.get(sequenceId);
      if (state === undefined) {
        answers.push({ sequenceId, error: 'This sequence is not open.', computeMilliseconds: 0 });
      } else if (state.result !== undefined) {
        answers.push({ sequenceId, result: state.result, computeMilliseconds: 0 });
      } else {
        batch.push({ sequenceId, state });
        queueMilliseconds += started - requestedAt;
      }
    }
    let computeMilliseconds = 0;
    if (batch.length > 0) {
      computeMilliseconds = await this.#step(batch, answers).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        for (const { sequenceId } of batch)
          answers.push({ sequenceId, error: message, computeMilliseconds: 0 });
        return 0;
      });
    }
    const { key } = this.#init;
    this.#init.report({ key, answers, rows: batch.length, computeMilliseconds, queueMilliseconds });
  }

  /** One model run for every state in `batch`, then one sampled token each; returns the compute time. */
  async #step(
    batch: readonly { sequenceId: number; state: GenerationState }[],
    answers: DecodeAnswer[],
  ): Promise<number> {
    const { contextLength, vocabSize } = this.#init.tokenizer;
    const contexts = new BigInt64Array(batch.length * contextLength);
    batch.forEach(({ state }, row) => {
      state.writeContext(contexts, row);
    });
    const { logits, computeMilliseconds } = await this.#init.runLogits(contexts, batch.length);
    const rowLength = logits.length / batch.length;
    const share = computeMilliseconds / batch.length;
    batch.forEach(({ sequenceId, state }, row) => {
      try {
        const outcome = state.step(logits.subarray(row * rowLength, row * rowLength + vocabSize));
        const answer: DecodeAnswer = { sequenceId, step: outcome.step, computeMilliseconds: share };
        if (outcome.done) answer.result = outcome.result;
        answers.push(answer);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        answers.push({ sequenceId, error: message, computeMilliseconds: share });
      }
    });
    return computeMilliseconds;
  }
}
