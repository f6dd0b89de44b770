import type { ChatTokenizer } from '../generation/chat-tokenizer.js';
import { GenerationState } from '../generation/generation-state.js';
import type { SamplingOptions } from '../generation/model-contracts.js';
import { releaseBufferMemory } from '../workers/release-buffer-memory.js';
import type { DecodeAnswer, DecodeReport } from './sequence-messages.js';

/**
 * Runs the chat model on `rows` context windows; logits come back row-major, in memory of their
 * own that the batcher frees once every row is sampled.
 */
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
 * the {@link GenerationState} of every open sequence; on each turn one model run computes the
 * logits of every sequence that has step credit left, each state samples from its own row, and
 * the answers go back in one report. Sequences join and leave between iterations. Sampling
 * happens here, not on the main thread, so the main thread only moves text to sockets; and
 * since ref-chat's rows do not depend on each other, a seed gives the same text alone or in
 * any batch.
 *
 * A sequence opens with a few steps of credit and gets one more for every answer its reader
 * takes (`grantStep`), so the next iteration starts as soon as this one is reported instead of
 * waiting for the main thread to ask again: the model runs while the main thread writes the
 * previous tokens out, and a slow reader still holds at most its credit of answers.
 *
 * @example
 * const batcher = new ContinuousDecodeBatcher({ tokenizer, runLogits, maxBatchSize: 32, report, enqueue, key });
 * batcher.open(1, promptIds, options, 4); // reports with sequence 1's first tokens follow
 * batcher.grantStep(1); // one more after the reader took one
 */
export class ContinuousDecodeBatcher {
  readonly #init: ContinuousDecodeBatcherInit;
  readonly #states = new Map<number, GenerationState>();
  /** Steps each open sequence may still take before its reader catches up. */
  readonly #credits = new Map<number, number>();
  /** Sequences with credit waiting for a step, with since when, in the order they became ready. */
  readonly #waiting = new Map<number, number>();
  #scheduled = false;

  constructor(init: ContinuousDecodeBatcherInit) {
    this.#init = init;
  }

  open(sequenceId: number, promptIds: readonly number[], options: SamplingOptions, credit = 1): void {
    this.#states.set(sequenceId, new GenerationState(this.#init.tokenizer, promptIds, options));
    this.#credits.set(sequenceId, 0);
    for (let step = 0; step < credit; step++) this.grantStep(sequenceId);
  }

  /** One more step for `sequenceId`: its reader took an answer (or asks for its first). */
  grantStep(sequenceId: number): void {
    // A sequence that is not open gets no credit, only the answer that says so.
    const credit = this.#credits.get(sequenceId);
    if (credit !== undefined) this.#credits.set(sequenceId, credit + 1);
    if (!this.#waiting.has(sequenceId)) this.#waiting.set(sequenceId, performance.now());
    this.#schedule();
  }

  close(sequenceId: number): void {
    this.#states.delete(sequenceId);
    this.#credits.delete(sequenceId);
    this.#waiting.delete(sequenceId);
  }

  /** Open sequences: a pool puts new ones where there are fewest. */
  get openSequences(): number {
    return this.#states.size;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // The next turn: messages already on their way (new sequences, credit) count for this iteration.
    setImmediate(() =>
      this.#init.enqueue(async () => {
        this.#scheduled = false;
        await this.#iterate();
        if (this.#waiting.size > 0) this.#schedule();
      }),
    );
  }

  /** Spends one credit of a sequence that was just answered; it waits again (at the back) while credit is left. */
  #spend(sequenceId: number, finished: boolean): void {
    const left = this.#credits.get(sequenceId);
    // Closed while its step ran.
    if (left === undefined) return;
    const credit = left - 1;
    this.#credits.set(sequenceId, credit);
    if (credit > 0 && !finished) this.#waiting.set(sequenceId, performance.now());
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
        this.#spend(sequenceId, true);
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
    const failed = new Set(
      answers.filter((answer) => answer.error !== undefined).map((answer) => answer.sequenceId),
    );
    // A failed step is not retried on its own: its reader gets the error and closes the sequence.
    for (const { sequenceId, state } of batch) this.#spend(sequenceId, state.done || failed.has(sequenceId));
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
    // Freed now, not at a collection: left to the heap, a step's contexts and logits (576 KiB at
    // 32 rows) brought a full collection of this thread's heap every ~250 ms.
    releaseBufferMemory(contexts);
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
    // Each state sampled from a copy of its row.
    releaseBufferMemory(logits);
    return computeMilliseconds;
  }
}
