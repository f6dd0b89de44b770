import type { AttemptSignal } from './attempt-signal.js';

/**
 * The attempts a transport has under way — a JSON call until its body is read, a stream until
 * its body ends — so that closing the client can wait for them and then abort what is left.
 *
 * @example
 * const inFlight = new InFlightAttempts();
 * inFlight.add(attempt);
 * try { await send(attempt); } finally { inFlight.delete(attempt); }
 * await inFlight.idle(1_000); inFlight.abortAll();
 */
export class InFlightAttempts {
  readonly #attempts = new Set<AttemptSignal>();
  #onIdle: (() => void) | undefined;

  get size(): number {
    return this.#attempts.size;
  }

  add(attempt: AttemptSignal): void {
    this.#attempts.add(attempt);
  }

  delete(attempt: AttemptSignal): void {
    if (!this.#attempts.delete(attempt) || this.#attempts.size > 0) return;
    const onIdle = this.#onIdle;
    this.#onIdle = undefined;
    onIdle?.();
  }

  /** Resolves once nothing is in flight, or after `graceMs`, whichever comes first. */
  idle(graceMs: number): Promise<void> {
    if (this.#attempts.size === 0 || graceMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, Math.min(graceMs, 2 ** 31 - 1));
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      const before = this.#onIdle;
      this.#onIdle = () => {
        before?.();
        finish();
      };
    });
  }

  /** Aborts every attempt under way as closed by the client; each fails with an `AbortError`. */
  abortAll(): void {
    for (const attempt of [...this.#attempts]) attempt.abortForClose();
  }
}
