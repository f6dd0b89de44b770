import type { ErrorPhase } from '../errors/index.js';

type AbortListener = () => void;

/**
 * The signal of one HTTP attempt: fires when the caller aborts or when the attempt's timer
 * runs out, and remembers which of the two happened so the error can say so.
 *
 * Hot: one per attempt. An AbortController (and undici's listener on its EventTarget) costs
 * several microseconds, so undici is handed this object itself, as the EventEmitter-like
 * `signal` its `request` documents (`aborted`, `reason`, `once`/`removeListener` of `abort`).
 * A real `AbortSignal` is made only when something asks for {@link signal} (middleware).
 */
export class AttemptSignal {
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort: AbortListener | undefined;
  #controller: AbortController | undefined;
  #listeners: AbortListener[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOutPhase: ErrorPhase | undefined;
  #closedByClient = false;
  /** True once the caller aborted or the timer fired. */
  aborted = false;
  /** Why it fired: the caller's reason, or the timeout error. */
  reason: unknown = undefined;
  /** Where the attempt is: waiting for headers until they arrive, then reading the body. */
  phase: ErrorPhase = 'headers';

  constructor(
    callerSignal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    this.#callerSignal = callerSignal;
    if (callerSignal !== undefined) {
      if (callerSignal.aborted) {
        this.#fire(callerSignal.reason);
      } else {
        this.#onCallerAbort = () => this.#fire(callerSignal.reason);
        callerSignal.addEventListener('abort', this.#onCallerAbort, { once: true });
      }
    }
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0 && !this.aborted) {
      this.#timer = setTimeout(() => {
        this.#timedOutPhase = this.phase;
        this.#fire(new Error('aiaas attempt timeout'));
      }, timeoutMs);
      this.#timer.unref();
    }
  }

  /** A real AbortSignal that follows this attempt, made on first use (middleware sees this one). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
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

  /** True when the client's `close()` aborted this attempt. */
  get closedByClient(): boolean {
    return this.#closedByClient;
  }

  /** Aborts the attempt because the client is closing; the error mapping then says so. */
  abortForClose(): void {
    if (this.aborted) return;
    this.#closedByClient = true;
    this.#fire(new Error('aiaas client closed'));
  }

  /** EventEmitter-style, for undici (it checks that `on` exists). */
  on(event: string, listener: AbortListener): this {
    if (event !== 'abort') return this;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return this;
  }

  /** undici registers its abort listener with `once`; an abort fires each listener once anyway. */
  once(event: string, listener: AbortListener): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: AbortListener): this {
    const listeners = this.#listeners;
    if (event !== 'abort' || listeners === undefined) return this;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
    return this;
  }

  /** Stops the timer (a stream's body is governed by the streaming layer's own timeouts). */
  stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the timer and forgets the caller's signal. */
  dispose(): void {
    this.stopTimer();
    if (this.#onCallerAbort !== undefined)
      this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }

  #fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.stopTimer();
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
