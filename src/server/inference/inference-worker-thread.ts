import { Worker } from 'node:worker_threads';
import type { WorkerEntry } from '../workers/worker-entry.js';
import { unpackDecodeReport } from './decode-report-codec.js';
import type { InferenceCommand, InferenceCommandResults, WorkerReply } from './inference-messages.js';
import { inferenceWorkerMarker } from './inference-messages.js';
import type { DecodeReport, SequenceCommand } from './sequence-messages.js';

type CommandWithoutId = InferenceCommand extends infer Command
  ? Command extends InferenceCommand
    ? Omit<Command, 'id'>
    : never
  : never;

interface PendingCommand {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** What the pool wants to hear from a thread. */
export interface InferenceWorkerThreadEvents {
  /** A decode iteration's answers. */
  onReport(report: DecodeReport): void;
  /** The thread stopped without being asked to; what it held has failed. */
  onExit(error: Error): void;
}

/**
 * One inference worker thread seen from the main thread: commands go out as messages, replies
 * come back matched by id, decode reports go to `onReport`. If the thread dies, every
 * command still waiting fails with the reason, and `onExit` tells the pool so it can replace
 * the thread.
 *
 * @example
 * const thread = new InferenceWorkerThread(resolveWorkerEntry(import.meta.url, 'inference/inference-worker'));
 * await thread.send({ kind: 'load', key: 'ref-embed/1', modelPath });
 * await thread.terminate();
 */
export class InferenceWorkerThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingCommand>();
  #nextId = 1;
  #stopped: Error | undefined;
  #terminating = false;

  readonly #events: InferenceWorkerThreadEvents;

  constructor(entry: WorkerEntry, events: InferenceWorkerThreadEvents) {
    this.#events = events;
    this.#worker = new Worker(entry.url, {
      workerData: { [inferenceWorkerMarker]: true },
      name: 'aiaas-inference',
      argv: [...entry.argv],
    });
    this.#worker.on('message', (reply: WorkerReply) => {
      if (reply.id === undefined) {
        this.#events.onReport(unpackDecodeReport(reply.report));
        return;
      }
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.value);
      else pending?.reject(new Error(reply.message));
    });
    this.#worker.on('error', (error) => this.#stop(error));
    this.#worker.on('exit', (code) =>
      this.#stop(new Error(`The inference worker thread stopped (exit code ${code}).`)),
    );
  }

  /** Commands sent and not yet answered: the pool gives new work to the least busy thread. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** False once the thread has stopped for any reason. */
  get alive(): boolean {
    return this.#stopped === undefined;
  }

  send<Command extends CommandWithoutId>(
    command: Command,
  ): Promise<InferenceCommandResults[Command['kind']]> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ ...command, id });
    });
  }

  /** Sends a message that has no reply (sequence commands); dropped once the thread has stopped. */
  post(message: SequenceCommand): void {
    if (this.#stopped === undefined) this.#worker.postMessage(message);
  }

  /** Releases the sessions, then ends the thread; nothing of it is left holding the event loop. */
  async terminate(): Promise<void> {
    if (this.#terminating) return;
    this.#terminating = true;
    await this.send({ kind: 'close' }).catch(() => undefined);
    await this.#worker.terminate();
  }

  /** Fails what is still waiting; an unexpected stop (not `terminate()`) is reported once. */
  #stop(error: Error): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    if (!this.#terminating) this.#events.onExit(error);
  }
}
