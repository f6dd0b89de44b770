import { Worker } from 'node:worker_threads';
import { HttpError } from '../../http/http-error.js';
import { resolveWorkerEntry } from '../../workers/worker-entry.js';
import { type DecodedLoadBody, decodeLoadBody } from './load-body.js';
import type { LoadBodyReply, LoadBodyTask } from './load-body-messages.js';

/** Smaller bodies decode in place: a thread's round trip would cost more than it saves. */
const inlineLimitBytes = 256 * 1024;
/** An idle thread is stopped; the next large load starts another. */
const idleStopMs = 10_000;

interface PendingDecode {
  resolve(request: DecodedLoadBody): void;
  reject(error: Error): void;
}

/**
 * Decodes Triton load bodies: small ones in place, large ones (models of megabytes, as base64 in
 * JSON) in a worker thread, so a model upload never holds up other requests' event loop. The
 * thread starts on the first large body and stops after a quiet spell; it never keeps the
 * process alive. A thread that dies fails only the loads it held.
 *
 * @example
 * const { configText, files } = await decoder.decode(await context.readBody());
 */
export class LoadBodyDecoder {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, PendingDecode>();
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;

  /** Decodes `body`; a large one is handed to the thread and is empty here afterwards. */
  decode(body: Buffer): Promise<DecodedLoadBody> {
    if (body.length < inlineLimitBytes) return new Promise((resolve) => resolve(decodeLoadBody(body)));
    const worker = this.#running();
    clearTimeout(this.#idleTimer);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const task: LoadBodyTask = { id, body };
      // Moved, not copied, when the body owns its memory (a copy of megabytes held the loop ~15 ms):
      // the interceptors that read it (fingerprints, metrics) ran before the route.
      const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
      worker.postMessage(task, owned ? [body.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the thread now (the server is closing); loads it held fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#fail(worker, new Error('The server is closing.'));
    await worker.terminate();
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
    if (reply.ok) {
      const files = reply.files.map(({ version, bytes }) => ({
        version,
        bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      }));
      pending?.resolve({ configText: reply.configText, files });
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
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
