import { TimeoutError } from '../errors/transport-errors.js';

/**
 * The deadline of one logical call across all its attempts, and the signal handed to each
 * attempt: it fires when the caller aborts or when the deadline passes, so a hung attempt
 * cannot outlive the call. `now` drives the decisions (injectable); the timer uses real time.
 */
export class CallDeadline {
  readonly deadlineMs: number | undefined;
  readonly deadlineAt: number | undefined;
  #controller: AbortController | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #expired = false;

  constructor(deadlineMs: number | undefined, callerSignal: AbortSignal | undefined, now: () => number) {
    if (deadlineMs !== undefined && !(deadlineMs > 0)) {
      throw new RangeError(`\`deadline\` must be a positive number of milliseconds, got ${deadlineMs}.`);
    }
    this.deadlineMs = deadlineMs;
    this.#now = now;
    this.deadlineAt = deadlineMs === undefined ? undefined : now() + deadlineMs;
    this.#callerSignal = callerSignal;
    const finite = deadlineMs !== undefined && Number.isFinite(deadlineMs);
    // Nothing can fire without a caller signal or a finite deadline: the controller (several
    // microseconds, and most calls have neither) is then made only if someone asks for `signal`.
    if (callerSignal === undefined && !finite) return;
    const controller = new AbortController();
    this.#controller = controller;
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    else if (callerSignal !== undefined) {
      this.#onCallerAbort = () => controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
    if (finite) {
      this.#timer = setTimeout(() => {
        this.#expired = true;
        controller.abort(this.timeoutError(undefined));
      }, deadlineMs);
      // A pending deadline must not keep a finished program alive.
      this.#timer.unref?.();
    }
  }

  /** Fires on the caller's abort or at the deadline. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** The same signal as {@link signal} when something can fire it; undefined when nothing can. */
  get cancelSignal(): AbortSignal | undefined {
    return this.#controller?.signal;
  }

  /** True once the deadline timer has fired (and so has aborted the running attempt). */
  get expired(): boolean {
    return this.#expired;
  }

  /** True when the clock is at or past the deadline. */
  hasPassed(): boolean {
    return this.deadlineAt !== undefined && this.#now() >= this.deadlineAt;
  }

  /** True when waiting `delayMs` would leave no time for another attempt. */
  wouldPass(delayMs: number): boolean {
    return this.deadlineAt !== undefined && this.#now() + delayMs >= this.deadlineAt;
  }

  /**
   * The error for an attempt the deadline cut short. The runner cannot see how far the attempt
   * got, so the phase is `headers`, where a slow model spends its time.
   */
  timeoutError(cause: unknown): TimeoutError {
    return new TimeoutError(`The call did not finish within its deadline of ${this.deadlineMs} ms.`, {
      phase: 'headers',
      timeoutMs: this.deadlineMs ?? 0,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** Stops the timer and forgets the caller's signal. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onCallerAbort !== undefined)
      this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
