import type { SamplingOptions } from '../generation/model-contracts.js';
import type { InferenceObserver } from './inference-observer.js';
import type { DecodedStep, DecodingSequence } from './sequence-decoder.js';
import type { DecodeAnswer, DecodeReport, SequenceCommand } from './sequence-messages.js';

interface WaitingStep {
  resolve(step: DecodedStep): void;
  reject(error: unknown): void;
}

/** One open sequence on this side: answers that came before anyone asked, or the step waiting for one. */
interface OpenSequence {
  key: string;
  /** Steps granted to the host and not answered yet. */
  granted: number;
  answers: DecodeAnswer[];
  waiting: WaitingStep | undefined;
  /** The signal of the last step asked for, listened to until another signal comes or the sequence closes. */
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Steps a sequence may run ahead of its reader. The host then starts the next model run while
 * this thread is still writing the previous tokens out; a reader that falls behind (a slow SSE
 * socket) holds at most this many answers.
 */
export const sequenceStepCredit = 4;

let lastSequenceId = 0;

/**
 * The main-thread side of the sequences one decode host (a worker thread, or the in-process
 * engine) runs: it opens sequences there with {@link sequenceStepCredit} steps of credit, keeps
 * the answers of each {@link DecodeReport} until the sequence's reader takes them, and gives a
 * step of credit back for every answer taken (all of one event-loop turn in one message).
 *
 * @example
 * const sequences = new DecodingSequences((message) => thread.post(message), observer);
 * const sequence = sequences.open('ref-chat/1', promptIds, options);
 * const { step } = await sequence.next();
 */
export class DecodingSequences {
  readonly #post: (message: SequenceCommand) => void;
  readonly #observer: InferenceObserver | undefined;
  readonly #open = new Map<number, OpenSequence>();
  #toGrant = new Map<string, number[]>();
  #flush: NodeJS.Immediate | undefined;

  constructor(post: (message: SequenceCommand) => void, observer?: InferenceObserver) {
    this.#post = post;
    this.#observer = observer;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Steps granted and not answered yet, per engine key. */
  waitingSteps(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const { key, granted } of this.#open.values()) {
      if (granted > 0) depths.set(key, (depths.get(key) ?? 0) + granted);
    }
    return depths;
  }

  open(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence {
    const sequenceId = ++lastSequenceId;
    const sequence: OpenSequence = {
      key,
      granted: sequenceStepCredit,
      answers: [],
      waiting: undefined,
      signal: undefined,
      onAbort: undefined,
    };
    this.#open.set(sequenceId, sequence);
    this.#post({ kind: 'open-sequence', key, sequenceId, promptIds, options, credit: sequenceStepCredit });
    let closed = false;
    return {
      next: (signal) => this.#next(sequenceId, signal),
      close: () => {
        if (closed) return;
        closed = true;
        this.#open.delete(sequenceId);
        listenTo(sequence, undefined);
        sequence.waiting?.reject(new Error('The sequence was closed.'));
        sequence.waiting = undefined;
        this.#post({ kind: 'close-sequence', key, sequenceId });
      },
    };
  }

  receive(report: DecodeReport): void {
    for (const answer of report.answers) {
      const sequence = this.#open.get(answer.sequenceId);
      // Closed meanwhile: its answers have no reader.
      if (sequence === undefined) continue;
      sequence.granted--;
      const waiting = sequence.waiting;
      if (waiting === undefined) {
        sequence.answers.push(answer);
        continue;
      }
      sequence.waiting = undefined;
      this.#take(answer.sequenceId, sequence, answer, waiting);
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
    for (const sequence of this.#open.values()) {
      listenTo(sequence, undefined);
      sequence.waiting?.reject(error);
      sequence.waiting = undefined;
    }
    this.#open.clear();
  }

  #next(sequenceId: number, signal: AbortSignal | undefined): Promise<DecodedStep> {
    const sequence = this.#open.get(sequenceId);
    if (sequence === undefined) return Promise.reject(new Error('The sequence was closed.'));
    if (sequence.waiting !== undefined)
      return Promise.reject(new Error('A step of this sequence is pending.'));
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const answer = sequence.answers.shift();
      if (answer !== undefined) {
        this.#take(sequenceId, sequence, answer, { resolve, reject });
        return;
      }
      listenTo(sequence, signal);
      sequence.waiting = { resolve, reject };
    });
  }

  /** Hands an answer to its reader and gives the sequence's host one step of credit back. */
  #take(sequenceId: number, sequence: OpenSequence, answer: DecodeAnswer, reader: WaitingStep): void {
    if (answer.error !== undefined) reader.reject(new Error(answer.error));
    else reader.resolve(stepOf(answer));
    sequence.granted++;
    const ids = this.#toGrant.get(sequence.key);
    if (ids === undefined) this.#toGrant.set(sequence.key, [sequenceId]);
    else ids.push(sequenceId);
    // Every reader answered in this turn takes its answer within it: one message carries all their credit.
    this.#flush ??= setImmediate(() => this.#sendGrants());
  }

  #sendGrants(): void {
    this.#flush = undefined;
    const toGrant = this.#toGrant;
    this.#toGrant = new Map();
    for (const [key, sequenceIds] of toGrant) {
      const open = sequenceIds.filter((sequenceId) => this.#open.has(sequenceId));
      if (open.length > 0) this.#post({ kind: 'step-sequences', key, sequenceIds: open });
    }
  }
}

/**
 * Makes `signal` the one whose abort rejects the sequence's waiting step. A generation passes
 * the same signal at every step, so the listener stays on from step to step instead of being
 * added and removed for every token.
 */
function listenTo(sequence: OpenSequence, signal: AbortSignal | undefined): void {
  if (sequence.signal === signal) return;
  if (sequence.onAbort !== undefined) sequence.signal?.removeEventListener('abort', sequence.onAbort);
  sequence.signal = signal;
  sequence.onAbort = undefined;
  if (signal === undefined) return;
  const onAbort = () => {
    const waiting = sequence.waiting;
    sequence.waiting = undefined;
    waiting?.reject(signal.reason);
  };
  sequence.onAbort = onAbort;
  signal.addEventListener('abort', onAbort, { once: true });
}

function stepOf(answer: DecodeAnswer): DecodedStep {
  const step: DecodedStep = { computeMilliseconds: answer.computeMilliseconds };
  if (answer.step !== undefined) step.step = answer.step;
  if (answer.result !== undefined) step.result = answer.result;
  return step;
}
