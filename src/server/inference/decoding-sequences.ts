import type { SamplingOptions } from '../models/model-contracts.js';
import type { InferenceObserver } from './inference-observer.js';
import type { DecodedStep, DecodingSequence } from './sequence-decoder.js';
import type { DecodeReport, SequenceCommand } from './sequence-messages.js';

interface WaitingStep {
  key: string;
  resolve(step: DecodedStep): void;
  reject(error: unknown): void;
}

let lastSequenceId = 0;

/**
 * The main-thread side of the sequences one decode host (a worker thread, or the in-process
 * engine) runs: it opens sequences there, sends their step requests (all requests of one
 * event-loop turn in one message, so they can share a model run) and hands each answer of a
 * {@link DecodeReport} to the step waiting for it.
 *
 * @example
 * const sequences = new DecodingSequences((message) => thread.post(message), observer);
 * const sequence = sequences.open('ref-chat/1', promptIds, options);
 * const { step } = await sequence.next();
 */
export class DecodingSequences {
  readonly #post: (message: SequenceCommand) => void;
  readonly #observer: InferenceObserver | undefined;
  readonly #open = new Set<number>();
  readonly #waiting = new Map<number, WaitingStep>();
  #toStep = new Map<string, number[]>();
  #flush: NodeJS.Immediate | undefined;

  constructor(post: (message: SequenceCommand) => void, observer?: InferenceObserver) {
    this.#post = post;
    this.#observer = observer;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Step requests not answered yet, per engine key. */
  waitingSteps(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const { key } of this.#waiting.values()) depths.set(key, (depths.get(key) ?? 0) + 1);
    return depths;
  }

  open(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    const sequenceId = ++lastSequenceId;
    this.#open.add(sequenceId);
    this.#post({ kind: 'open-sequence', key, sequenceId, promptIds, options });
    let closed = false;
    return {
      next: (signal) => this.#next(key, sequenceId, signal),
      close: () => {
        if (closed) return;
        closed = true;
        this.#open.delete(sequenceId);
        this.#waiting.get(sequenceId)?.reject(new Error('The sequence was closed.'));
        this.#waiting.delete(sequenceId);
        this.#post({ kind: 'close-sequence', key, sequenceId });
      },
    };
  }

  receive(report: DecodeReport): void {
    for (const { sequenceId, error, ...step } of report.answers) {
      const waiting = this.#waiting.get(sequenceId);
      this.#waiting.delete(sequenceId);
      if (error === undefined) waiting?.resolve(step);
      else waiting?.reject(new Error(error));
    }
    if (report.rows === 0) return;
    this.#observer?.batchCompleted({
      key: report.key,
      requests: report.rows,
      rows: report.rows,
      queueSeconds: report.queueMilliseconds / 1000,
      computeSeconds: report.computeMilliseconds / 1000,
      succeeded: report.answers.every((answer) => answer.error === undefined),
    });
  }

  /** The host is gone: every waiting step fails, and no sequence is open any more. */
  failAll(error: Error): void {
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
    this.#open.clear();
  }

  #next(key: string, sequenceId: number, signal: AbortSignal | undefined): Promise<DecodedStep> {
    if (!this.#open.has(sequenceId)) return Promise.reject(new Error('The sequence was closed.'));
    if (this.#waiting.has(sequenceId))
      return Promise.reject(new Error('A step of this sequence is pending.'));
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(sequenceId);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const release = () => signal?.removeEventListener('abort', onAbort);
      this.#waiting.set(sequenceId, {
        key,
        resolve: (step) => {
          release();
          resolve(step);
        },
        reject: (error) => {
          release();
          reject(error);
        },
      });
      const ids = this.#toStep.get(key) ?? [];
      ids.push(sequenceId);
      this.#toStep.set(key, ids);
      // Every sequence answered by the last report asks again within this turn: one message carries them all.
      this.#flush ??= setImmediate(() => this.#sendSteps());
    });
  }

  #sendSteps(): void {
    this.#flush = undefined;
    const toStep = this.#toStep;
    this.#toStep = new Map();
    for (const [key, sequenceIds] of toStep) this.#post({ kind: 'step-sequences', key, sequenceIds });
  }
}
