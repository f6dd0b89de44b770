/**
 * Reads a response body one chunk per call, and closes it at once on request. Closing
 * destroys the body first when it can (a Node `Readable`, undici's body): its async iterator
 * is an async generator, whose `return()` would wait behind a pending `next()` and leave the
 * socket open until the server sent more.
 *
 * @example
 * const reader = new BodyReader(response.body);
 * const { done, value } = await reader.read();
 * reader.close();
 */
export class BodyReader {
  readonly #body: AsyncIterable<Uint8Array>;
  readonly #iterator: AsyncIterator<Uint8Array>;
  #closed = false;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.#body = body;
    this.#iterator = body[Symbol.asyncIterator]();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next chunk, or `done` at the end of the body. Rejects when the body breaks. */
  read(): Promise<IteratorResult<Uint8Array>> {
    try {
      return Promise.resolve(this.#iterator.next());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Releases the body (and its socket); safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const destroyable = this.#body as { destroy?: unknown };
    if (typeof destroyable.destroy === 'function') {
      try {
        (destroyable.destroy as () => void).call(this.#body);
      } catch {
        // A body that fails to destroy is being torn down anyway; return() below still runs.
      }
    }
    try {
      // Settles later for a generator busy in next(); nobody waits on it, so errors are dropped.
      Promise.resolve(this.#iterator.return?.()).catch(() => undefined);
    } catch {
      // Same as above, for an iterator whose return() throws synchronously.
    }
  }
}
