import { setMaxListeners } from 'node:events';

/**
 * Whether a request's client went away, with its `AbortSignal` made only when someone asks
 * for it: an `AbortController` per request was a visible share of a small request's cost,
 * and most requests (a JSON answer) only ever read `aborted`.
 *
 * @example
 * const disconnect = new ClientDisconnect();
 * response.once('close', () => disconnect.abort(new Error('The client disconnected.')));
 * disconnect.aborted; // a cheap check
 * await generate({ signal: disconnect.signal }); // a real signal, aborted already if the client left
 */
export class ClientDisconnect {
  #controller: AbortController | undefined;
  #reason: Error | undefined;

  /** True once the client disconnected. */
  get aborted(): boolean {
    return this.#reason !== undefined;
  }

  /** Fires when the client disconnects (at once, if it already did). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      // Each generated choice (n × prompts of them) listens for the disconnect: many listeners, no leak.
      setMaxListeners(0, this.#controller.signal);
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Marks the client gone and fires the signal, if one was made; later calls do nothing. */
  abort(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
