import { Worker } from 'node:worker_threads';
import { HttpError } from '../../http/http-error.js';
import type { DeploymentBytes, DeploymentFile } from '../../models/deployment/deployment-files.js';
import { wholeBufferOf } from '../../workers/release-buffer-memory.js';
import { resolveWorkerEntry } from '../../workers/worker-entry.js';
import { decodeLoadBody } from './load-body.js';
import type { LoadBodyReply, LoadBodyTask } from './load-body-messages.js';

/** Smaller bodies decode in place: a thread's round trip would cost more than it saves. */
const inlineLimitBytes = 256 * 1024;
/** An idle thread is stopped; the next large load starts another. */
const idleStopMs = 10_000;
/** Shared body buffers are sized in these steps, so bodies of about one size reuse one buffer. */
const bodyBufferStepBytes = 1024 * 1024;
/** Free shared buffers kept for the next bodies; more are left to the garbage collector. */
const keptFreeBodyBuffers = 4;

/** A decoded load body: a small one's files in memory, a large one's already written. */
export interface LoadBodyFiles {
  configText?: string | undefined;
  files: (DeploymentFile | DeploymentBytes)[];
}

interface PendingDecode {
  resolve(request: LoadBodyFiles): void;
  reject(error: Error): void;
  /** The shared buffer the body was read into, free again once the thread replied. */
  memory: SharedArrayBuffer | undefined;
}

/** One lending of a shared buffer, so a late finalizer never frees a later lending of it. */
interface Lending {
  memory: SharedArrayBuffer;
}

/**
 * Decodes Triton load bodies: small ones in place, large ones (models of megabytes, as base64 in
 * JSON) in a worker thread, so a model upload never holds up other requests' event loop. A large
 * body is read into shared memory the decoder lends ({@link bodyBuffer}) and reuses: a fresh
 * 4 MiB buffer per load cost the event loop ~5 ms of page faults, and each one's release pushed
 * the heap towards a full collection. The thread starts on the first large body and stops after
 * a quiet spell; it never keeps the process alive. A thread that dies fails only the loads it held.
 *
 * @example
 * const route = { bodyBuffer: (length) => decoder.bodyBuffer(length), async handle(context) {
 *   const { configText, files } = await decoder.decode(await context.readBody(), () => deploymentFiles.uploadPrefix());
 *   ... } };
 */
export class LoadBodyDecoder {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, PendingDecode>();
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #freeMemory: SharedArrayBuffer[] = [];
  readonly #lent = new Map<SharedArrayBuffer, Lending>();
  /** Takes back the memory of a body that was read but never decoded (a refused request). */
  readonly #unreturned = new FinalizationRegistry<Lending>((lending) => this.#takeBack(lending));

  /** A buffer over reusable shared memory for a body of `length` bytes, or undefined for a small one. */
  bodyBuffer(length: number): Buffer | undefined {
    if (length < inlineLimitBytes) return undefined;
    // The smallest free buffer that fits, taken off the free list.
    let fitting = -1;
    this.#freeMemory.forEach((free, index) => {
      const best = this.#freeMemory[fitting];
      if (free.byteLength >= length && (best === undefined || free.byteLength < best.byteLength))
        fitting = index;
    });
    const memory =
      fitting === -1
        ? new SharedArrayBuffer(Math.ceil(length / bodyBufferStepBytes) * bodyBufferStepBytes)
        : this.#freeMemory.splice(fitting, 1)[0]!;
    const lending = { memory };
    this.#lent.set(memory, lending);
    const buffer = Buffer.from(memory, 0, length);
    this.#unreturned.register(buffer, lending, lending);
    return buffer;
  }

  /**
   * Decodes `body`; a large one is handed to the thread (and a moved one is empty here
   * afterwards), which writes its files under a prefix `uploadPrefix` gives.
   */
  async decode(body: Buffer, uploadPrefix: () => Promise<string>): Promise<LoadBodyFiles> {
    if (body.length < inlineLimitBytes) return decodeLoadBody(body);
    const prefix = await uploadPrefix();
    const worker = this.#running();
    clearTimeout(this.#idleTimer);
    const id = this.#nextId++;
    const lending = body.buffer instanceof SharedArrayBuffer ? this.#lent.get(body.buffer) : undefined;
    if (lending !== undefined) {
      this.#unreturned.unregister(lending);
      this.#lent.delete(lending.memory);
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, memory: lending?.memory });
      const task: LoadBodyTask = { id, body, uploadPrefix: prefix };
      // Shared memory is shared, not copied. Other memory is moved when the body owns it (a copy
      // of megabytes held the loop ~15 ms): the interceptors that read it ran before the route.
      const movable = wholeBufferOf(body);
      worker.postMessage(task, movable === undefined ? [] : [movable]);
    });
  }

  /** Stops the thread now (the server is closing); loads it held fail. */
  async close(): Promise<void> {
    this.#freeMemory.length = 0;
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#fail(worker, new Error('The server is closing.'));
    await worker.terminate();
  }

  #takeBack(lending: Lending): void {
    if (this.#lent.get(lending.memory) !== lending) return;
    this.#lent.delete(lending.memory);
    this.#free(lending.memory);
  }

  #free(memory: SharedArrayBuffer | undefined): void {
    if (memory !== undefined && this.#freeMemory.length < keptFreeBodyBuffers) this.#freeMemory.push(memory);
  }

  #running(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const entry = resolveWorkerEntry(import.meta.url, 'routes/oip/load-body-worker');
    const worker = new Worker(entry.url, { argv: [...entry.argv], name: 'aiaas-load-body' });
    worker.unref();
    worker.on('message', (reply: LoadBodyReply) => this.#settle(worker, reply));
    worker.on('error', (error) => this.#fail(worker, error));
    worker.on('exit', (code) =>
      this.#fail(worker, new Error(`The load body decoding thread stopped (exit code ${code}).`)),
    );
    this.#worker = worker;
    return worker;
  }

  #settle(worker: Worker, reply: LoadBodyReply): void {
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    // The thread is done with the body: its shared memory may take the next one.
    this.#free(pending?.memory);
    if (reply.ok) {
      pending?.resolve({ configText: reply.configText, files: reply.files });
    } else if (reply.status < 500) {
      pending?.reject(new HttpError(reply.status, reply.message, { param: reply.param, code: reply.code }));
    } else {
      pending?.reject(new Error(reply.message));
    }
    if (this.#pending.size === 0) {
      this.#idleTimer = setTimeout(() => {
        if (this.#worker === worker && this.#pending.size === 0) void this.close();
      }, idleStopMs);
      this.#idleTimer.unref();
    }
  }

  #fail(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    clearTimeout(this.#idleTimer);
    for (const pending of this.#pending.values()) {
      // A thread that died reads nothing more; a terminated one may still be reading, so its
      // memory is not lent again.
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
