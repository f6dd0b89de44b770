import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

/** Node's own channel, published as an HTTP server in this process receives a request. */
const requestStartChannel = 'http.server.request.start';

/**
 * The idempotency keys whose request bodies a server in this process has read to the end, seen
 * through Node's `http.server.request.start` diagnostics channel. A body read in full is the
 * moment a call is the server's to finish: a client killed after it leaves a request the server
 * still runs and bills (its Idempotency-Key keeps the work going), one killed before may leave
 * nothing billed at all. Listening to `end` takes nothing from the server: it reads the body itself.
 *
 * @example
 * const arrivals = new RequestArrivals(); arrivals.start();
 * await arrivals.reached(['chaos-7-12', 'chaos-7-40'], AbortSignal.timeout(60_000));
 * arrivals.stop();
 */
export class RequestArrivals {
  readonly #arrived = new Set<string>();
  readonly #wakers = new Set<() => void>();

  readonly #onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') return;
    request.once('end', () => {
      this.#arrived.add(key);
      for (const wake of this.#wakers) wake();
    });
  };

  start(): void {
    subscribe(requestStartChannel, this.#onRequest);
  }

  stop(): void {
    unsubscribe(requestStartChannel, this.#onRequest);
  }

  /** Resolves once every key's body has arrived; rejects with the signal's reason if it aborts first. */
  reached(keys: readonly string[], signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!keys.every((key) => this.#arrived.has(key))) return;
        finish();
        resolve();
      };
      const onAbort = () => {
        finish();
        reject(signal.reason);
      };
      const finish = () => {
        this.#wakers.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      this.#wakers.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}
