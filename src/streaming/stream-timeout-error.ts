import { TimeoutError } from '../errors/index.js';
import type { StreamUsage } from './chat-stream-events.js';

/** Which stream timer fired: waiting for the first data event, or for the next one. */
export type StreamTimer = 'first-token' | 'idle';

/** How far a stream got: what a failure carries so nothing already received is lost. */
export interface StreamProgress {
  /** Text received so far, by choice index. */
  partial: readonly string[];
  /** Usage so far: reported by the provider, else estimated from what was received. */
  usage: StreamUsage | undefined;
  lastEventId: string | undefined;
  /** Events handed to the consumer; the retry layer replays a call only when this is 0. */
  eventsReceived: number;
}

const NO_PROGRESS: StreamProgress = {
  partial: [],
  usage: undefined,
  lastEventId: undefined,
  eventsReceived: 0,
};

/**
 * A stream stalled: no data event within `firstTokenTimeout` of sending the request, or
 * within `idleTimeout` of the previous one (comments and keep-alives do not count). A
 * `TimeoutError` with `phase: 'stream'`, retryable, that also carries the partial output and
 * usage so far, like a `StreamError`. (Kept in the streaming layer so `TimeoutError` itself
 * stays minimal; the lead may move it into `errors/`.)
 *
 * @example
 * catch (error) {
 *   if (error instanceof StreamTimeoutError) console.log(error.timer, error.partial[0]);
 * }
 */
export class StreamTimeoutError extends TimeoutError {
  // A class that refers to itself is renamed by the bundler (`_StreamTimeoutError`); its name is part of the API.
  static {
    Object.defineProperty(StreamTimeoutError, 'name', { value: 'StreamTimeoutError' });
  }

  readonly timer: StreamTimer;
  readonly partial: readonly string[];
  readonly usage: StreamUsage | undefined;
  readonly lastEventId: string | undefined;
  readonly eventsReceived: number;

  constructor(
    timer: StreamTimer,
    timeoutMs: number,
    progress: StreamProgress = NO_PROGRESS,
    requestId?: string,
  ) {
    super(describe(timer, timeoutMs, progress), { phase: 'stream', timeoutMs, requestId });
    this.timer = timer;
    this.partial = progress.partial;
    this.usage = progress.usage;
    this.lastEventId = progress.lastEventId;
    this.eventsReceived = progress.eventsReceived;
  }

  /** The same timeout, carrying how far the stream got. */
  withProgress(progress: StreamProgress, requestId: string | undefined): StreamTimeoutError {
    return new StreamTimeoutError(this.timer, this.timeoutMs, progress, requestId);
  }
}

function describe(timer: StreamTimer, timeoutMs: number, progress: StreamProgress): string {
  const received = progress.partial.reduce((sum, text) => sum + text.length, 0);
  const got =
    progress.eventsReceived === 0
      ? ''
      : ` after ${progress.eventsReceived} events (${received} characters of text)`;
  return timer === 'first-token'
    ? `The stream sent no data within ${timeoutMs} ms of the request (first-token timeout)${got}.`
    : `The stream stalled: no data for ${timeoutMs} ms (idle timeout)${got}. Comments and keep-alives do not count as data.`;
}
