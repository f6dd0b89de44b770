import type { RequestContext } from '../http/request-context.js';
import type { StreamReplayBuffer } from './stream-replay-buffer.js';

/** How a recorded generation ended, as a cancel reports it. */
export type RecordingEnd = 'cancelled' | 'completed' | 'failed';

/**
 * The handle of one recorded generation (one tenant, one Idempotency-Key): the request that
 * opened it, the sockets following it, and the means to stop it. It stops the generation on
 * a cancel, or once no socket has followed it for the resume window (an abandoned stream is
 * billed for what it generated, not run to its end), and says when the opening request has
 * settled, i.e. when its billing record is written.
 *
 * @example
 * const recording = new StreamRecording(context, buffer, 30_000);
 * recording.follow(context); // the opening socket
 * recording.stop('The client cancelled the stream.');
 * await recording.settled; // the billing record of `recording.requestId` is in the ledger
 */
export class StreamRecording {
  /** The request that opened the recording; its billing record is the stream's. */
  readonly requestId: string;
  readonly buffer: StreamReplayBuffer;
  /** Resolves once the opening request settled: its generation ended and it was billed. */
  readonly settled: Promise<void>;
  readonly #opener: RequestContext;
  readonly #resumeWindowMs: number;
  #followers = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opener: RequestContext, buffer: StreamReplayBuffer, resumeWindowMs: number) {
    this.requestId = opener.requestId;
    this.buffer = buffer;
    this.#opener = opener;
    this.#resumeWindowMs = resumeWindowMs;
    this.settled = new Promise((resolve) => opener.settlement.onSettled(() => resolve()));
  }

  /** True once a cancel or the resume window stopped the generation. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** How the generation ended; `running` while it goes on. */
  get end(): RecordingEnd | 'running' {
    const state = this.buffer.state;
    // A generation that finished despite a late stop is complete, not cancelled.
    return this.#stopped && state === 'failed' ? 'cancelled' : state;
  }

  /** Counts a request's socket as following the recording until its response closes. */
  follow(context: RequestContext): void {
    // Gone already: its close was told before this call, so it would never be uncounted.
    if (context.disconnected) {
      this.#checkAbandoned();
      return;
    }
    this.#followers++;
    this.#clearTimer();
    context.onFinished(() => {
      this.#followers--;
      this.#checkAbandoned();
    });
  }

  /** Stops the generation now (nothing happens once it ended); it is billed for what it made. */
  stop(reason: string): void {
    if (this.#stopped || this.buffer.state !== 'running') return;
    this.#stopped = true;
    this.#clearTimer();
    this.#opener.stopWork(new Error(reason));
  }

  /** Called when the recording ended: no window is left to wait for. */
  ended(): void {
    this.#clearTimer();
  }

  #checkAbandoned(): void {
    if (this.#followers > 0 || this.#timer !== undefined || this.buffer.state !== 'running') return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.stop(
        `The stream was abandoned: no client followed or resumed it within ${this.#resumeWindowMs} ms.`,
      );
    }, this.#resumeWindowMs);
    // An abandoned stream must not keep the process alive on its own.
    this.#timer.unref();
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
