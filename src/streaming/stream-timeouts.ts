import { AbortError, AiaasError } from '../errors/index.js';
import { StreamTimeoutError, type StreamTimer } from './stream-timeout-error.js';

/** Milliseconds a stream may take to send its first data event unless told otherwise. */
export const defaultFirstTokenTimeout = 60_000;

/** Milliseconds a stream may go without a data event unless told otherwise. */
export const defaultIdleTimeout = 300_000;

export interface StreamTimeoutOptions {
  /**
   * Milliseconds from `requestSentAt` to the first data event. Default 60 000, unless only
   * `idleTimeout` is given: that then bounds the first wait too. `0` or `Infinity` turns it off.
   */
  firstTokenTimeout?: number | undefined;
  /**
   * Milliseconds between data events; comments and keep-alives do not reset it. Default 300 000;
   * `0` or `Infinity` turns it off. Also bounds the wait for the first event when `firstTokenTimeout` is off.
   */
  idleTimeout?: number | undefined;
  /** `performance.now()` when the request was sent; defaults to when the stream was created. */
  requestSentAt?: number | undefined;
}

interface Deadline {
  at: number;
  timer: StreamTimer;
  timeoutMs: number;
}

/** The error an aborted signal stands for: its reason when that is already ours, else an `AbortError`. */
export function abortErrorFrom(signal: AbortSignal): AiaasError {
  return AiaasError.isInstance(signal.reason)
    ? signal.reason
    : new AbortError(undefined, { cause: signal.reason });
}

/**
 * The first-token and idle timers of one stream. Time is measured while the stream waits
 * for the server, never while the consumer is busy with an event: a wait begins when the
 * consumer asks for the next event, so a slow consumer cannot make a healthy stream time out.
 *
 * @example
 * const timeouts = new StreamTimeouts({ idleTimeout: 30_000 });
 * timeouts.beginWait();
 * const chunk = await timeouts.race(reader.read(), signal);
 */
export class StreamTimeouts {
  readonly #firstTokenTimeout: number | undefined;
  readonly #idleTimeout: number | undefined;
  readonly #requestSentAt: number;
  #sawData = false;
  #waitStartedAt = performance.now();

  constructor(options: StreamTimeoutOptions = {}) {
    // A stream that stalls must end by default: no option means the defaults, never no timer.
    // An idle timeout given alone keeps its old meaning of bounding the first wait as well.
    this.#firstTokenTimeout = positive(
      options.firstTokenTimeout ?? (options.idleTimeout === undefined ? defaultFirstTokenTimeout : undefined),
    );
    this.#idleTimeout = positive(options.idleTimeout ?? defaultIdleTimeout);
    this.#requestSentAt = options.requestSentAt ?? performance.now();
  }

  /** The consumer asked for more: the idle timer starts from now. */
  beginWait(): void {
    this.#waitStartedAt = performance.now();
  }

  /** A data event arrived: the first-token timer is done, the idle timer restarts. */
  markData(): void {
    this.#sawData = true;
    this.#waitStartedAt = performance.now();
  }

  /**
   * Waits for `promise`, but rejects with a `StreamTimeoutError` when the current deadline
   * passes, or with an `AbortError` when `signal` aborts. The loser is left to settle on its
   * own (the caller closes the body, which settles it).
   */
  race<Value>(promise: Promise<Value>, signal: AbortSignal): Promise<Value> {
    const deadline = this.#deadline();
    return new Promise<Value>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => settle(() => reject(abortErrorFrom(signal)));
      const settle = (finish: () => void) => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (deadline !== undefined) {
        // A deadline already past still waits one macrotask: data the socket already holds
        // resolves first, and data that arrived is not a stall.
        const remaining = Math.max(0, deadline.at - performance.now());
        timer = setTimeout(
          () => settle(() => reject(new StreamTimeoutError(deadline.timer, deadline.timeoutMs))),
          remaining,
        );
      }
      promise.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  #deadline(): Deadline | undefined {
    if (!this.#sawData && this.#firstTokenTimeout !== undefined) {
      const timeoutMs = this.#firstTokenTimeout;
      return { at: this.#requestSentAt + timeoutMs, timer: 'first-token', timeoutMs };
    }
    if (this.#idleTimeout === undefined) return undefined;
    return { at: this.#waitStartedAt + this.#idleTimeout, timer: 'idle', timeoutMs: this.#idleTimeout };
  }
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
