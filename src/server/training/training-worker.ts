import { Worker } from 'node:worker_threads';
import { InvalidOptionError } from '../../errors/index.js';
import { resolveWorkerEntry } from '../workers/worker-entry.js';
import type {
  EpochReport,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
  TrainingSpec,
} from './training-contract.js';
import {
  type TrainCommand,
  type TrainingFailure,
  type TrainingReply,
  transferList,
} from './training-messages.js';
import type { WindowTrainingSpec } from './window-training.js';

/** One training in progress on its own thread. */
export interface TrainingRun {
  /** The trained parameters; rejects with the trainer's error, an AbortError after cancel(), or when the thread dies. */
  done: Promise<NetworkParameters>;
  /** Stops the run within one batch; `done` then rejects with a DOMException named 'AbortError'. */
  cancel(): void;
}

export interface TrainingWorkerOptions {
  resume?: TrainingResumeState | undefined;
  /** Called on the calling thread for every epoch, in order, before `done` settles. */
  onEpoch(report: EpochReport): void;
}

function errorFrom(failure: TrainingFailure): Error {
  if (failure.option !== undefined)
    return new InvalidOptionError(failure.message, {
      option: failure.option,
      allowed: failure.allowed ?? '',
    });
  if (failure.name === 'AbortError') return new DOMException(failure.message, 'AbortError');
  const error = new Error(failure.message);
  error.name = failure.name;
  return error;
}

/**
 * Runs trainNetwork in a worker_threads Worker, so training never holds up the event loop. The
 * examples' buffers are transferred to the thread (the caller's arrays are left empty); the
 * resume state and initial parameters are copied, since callers keep checkpoints.
 *
 * @example
 * const run = TrainingWorker.start(spec, train, valid, { onEpoch: (report) => console.log(report.trainLoss) });
 * const parameters = await run.done;
 */
export class TrainingWorker implements TrainingRun {
  readonly done: Promise<NetworkParameters>;
  readonly #worker: Worker;
  readonly #cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  readonly #onEpoch: (report: EpochReport) => void;
  #settled = false;
  #resolve!: (parameters: NetworkParameters) => void;
  #reject!: (error: unknown) => void;

  static start(
    spec: TrainingSpec | WindowTrainingSpec,
    train: TrainingExamples,
    valid: TrainingExamples | undefined,
    options: TrainingWorkerOptions,
  ): TrainingRun {
    return new TrainingWorker(spec, train, valid, options);
  }

  private constructor(
    spec: TrainingSpec | WindowTrainingSpec,
    train: TrainingExamples,
    valid: TrainingExamples | undefined,
    options: TrainingWorkerOptions,
  ) {
    this.#onEpoch = options.onEpoch;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const entry = resolveWorkerEntry(import.meta.url, 'training/training-worker-thread');
    this.#worker = new Worker(entry.url, {
      argv: [...entry.argv],
      name: 'aiaas-training',
    });
    this.#worker.on('message', (reply: TrainingReply) => this.#receive(reply));
    this.#worker.on('error', (error) =>
      this.#settle(() =>
        this.#reject(new Error(`The training thread died: ${error.message}`, { cause: error })),
      ),
    );
    this.#worker.on('exit', (code) =>
      this.#settle(() =>
        this.#reject(new Error(`The training thread stopped (exit code ${code}) before training finished.`)),
      ),
    );
    const command: TrainCommand = {
      spec,
      train,
      valid,
      resume: options.resume,
      cancelFlag: this.#cancelFlag.buffer as SharedArrayBuffer,
    };
    const examples = [train?.inputs, train?.targets, valid?.inputs, valid?.targets];
    try {
      this.#worker.postMessage(
        command,
        transferList(examples.filter((array) => array instanceof Float32Array)),
      );
    } catch (error) {
      this.#settle(() => this.#reject(error));
    }
  }

  /** Stops the run within one batch; `done` then rejects with a DOMException named 'AbortError'. */
  cancel(): void {
    Atomics.store(this.#cancelFlag, 0, 1);
  }

  #receive(reply: TrainingReply): void {
    if (this.#settled) return;
    if (reply.kind === 'done') this.#settle(() => this.#resolve(reply.parameters));
    else if (reply.kind === 'failed') this.#settle(() => this.#reject(errorFrom(reply.error)));
    else {
      try {
        this.#onEpoch(reply.report);
      } catch (error) {
        // A failing listener ends the run: nobody would hear of the epochs after it.
        this.cancel();
        this.#settle(() => this.#reject(error));
      }
    }
  }

  #settle(outcome: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    outcome();
    // The thread ends by itself after its last message; this also ends one that misbehaved.
    void this.#worker.terminate();
  }
}
