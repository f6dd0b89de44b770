import type { ErrorPhase } from '../errors/index.js';

/**
 * The signal of one HTTP attempt: fires when the caller aborts or when the attempt's timer
 * runs out, and remembers which of the two happened so the error can say so.
 */
export class AttemptSignal {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#callerSignal?.reason);
  #timer: NodeJS.Timeout | undefined;
  #timedOutPhase: ErrorPhase | undefined;
  /** Where the attempt is: waiting for headers until they arrive, then reading the body. */
  phase: ErrorPhase = 'headers';

  constructor(
    callerSignal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted) this.#controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOutPhase = this.phase;
        this.#controller.abort(new Error('aiaas attempt timeout'));
      }, timeoutMs);
      this.#timer.unref?.();
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the caller's own signal fired. */
  get callerAborted(): boolean {
    return this.#callerSignal?.aborted === true && this.#timedOutPhase === undefined;
  }

  /** The phase in which the timer fired, or undefined if it did not. */
  get timedOutPhase(): ErrorPhase | undefined {
    return this.#timedOutPhase;
  }

  /** Stops the timer (a stream's body is governed by the streaming layer's own timeouts). */
  stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the timer and forgets the caller's signal. */
  dispose(): void {
    this.stopTimer();
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
