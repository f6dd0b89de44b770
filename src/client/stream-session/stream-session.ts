import type { LedgerStatus } from '../../cost/ledger-entry.js';
import { AbortError } from '../../errors/index.js';
import type {
  CallSettlement,
  MeterableStream,
  StreamEnding,
  StreamSettledOutcome,
} from '../../metering/call-middleware.js';
import type { ChatEventSource } from '../../streaming/chat-event-reader.js';
import type { ChatStreamEvent, StreamUsage } from '../../streaming/chat-stream-events.js';
import type { StreamAccumulator } from '../../streaming/stream-accumulator.js';
import { errorFields, type SdkLogger } from '../../transport/sdk-logger.js';
import type { StreamEndingUsage } from './stream-ending-usage.js';

export interface StreamSessionInit {
  readonly source: ChatEventSource;
  /** The event read while the stream was opened (inside the retry loop). */
  readonly first: ChatStreamEvent | undefined;
  /** The stream's one controller: aborting it closes its body (and any resume) at once. */
  readonly controller: AbortController;
  /** Fires when the stream is stopped: its controller, or the caller's signal. */
  readonly stopped: AbortSignal;
  /** The attempt that opened the stream (its resumes belong to it). */
  readonly attempts: number;
  readonly requestId: string | undefined;
  readonly usage: StreamEndingUsage;
  readonly logger: SdkLogger;
}

function isStreamUsage(value: unknown): value is StreamUsage {
  return typeof value === 'object' && value !== null && 'tokens' in value && 'provenance' in value;
}

/**
 * One open stream: its events as the client hands them on (first the event read while opening,
 * then the rest), and its one ending. Whichever way it ends — completed, broken, aborted, left by
 * its consumer — the ending is settled once (by the metering middleware's settler) before the
 * consumer sees it, so `final()` already has the cost; later endings get the same settlement.
 *
 * @example
 * const session = await openStreamSession(context, call, description, options);
 * const stream = new MeteredChatStream(session, { attempts: session.attempts, idempotencyKey });
 */
export class StreamSession implements ChatEventSource, MeterableStream {
  readonly attempts: number;
  readonly requestId: string | undefined;
  readonly controller: AbortController;
  readonly #inner: ChatEventSource;
  readonly #usage: StreamEndingUsage;
  readonly #logger: SdkLogger;
  readonly #stopped: AbortSignal;
  #first: { event: ChatStreamEvent | undefined } | undefined;
  #settle: ((ending: StreamEnding) => Promise<CallSettlement>) | undefined;
  readonly #listeners: ((outcome: StreamSettledOutcome) => void)[] = [];
  #settling: Promise<CallSettlement> | undefined;

  constructor(init: StreamSessionInit) {
    this.attempts = init.attempts;
    this.requestId = init.requestId;
    this.controller = init.controller;
    this.#inner = init.source;
    this.#first = { event: init.first };
    this.#usage = init.usage;
    this.#logger = init.logger;
    this.#stopped = init.stopped;
  }

  /**
   * Settles the stream as abandoned when it is stopped (its controller, the caller's signal).
   * Called once the middleware have set the settler, so a stop is never settled without it.
   */
  watchForStop(): void {
    // An ending claims its settlement before it aborts the controller, so this finds it under way.
    const onStop = () => void this.abandoned().catch((error: unknown) => this.#logFailure(error));
    if (this.#stopped.aborted) onStop();
    else this.#stopped.addEventListener('abort', onStop, { once: true });
  }

  settleWith(settle: (ending: StreamEnding) => Promise<CallSettlement>): void {
    this.#settle = settle;
  }

  whenSettled(listener: (outcome: StreamSettledOutcome) => void): void {
    this.#listeners.push(listener);
  }

  /** The settlement under way or done, once the stream has ended. */
  get settling(): Promise<CallSettlement> | undefined {
    return this.#settling;
  }

  /** The stream reached its end: usage as reported (or estimated by the reader when the tail was lost). */
  completed(): Promise<CallSettlement> {
    return this.#end('ok', undefined, undefined);
  }

  /** The consumer stopped reading (`break`, `abort()`, its signal). */
  abandoned(): Promise<CallSettlement> {
    return this.#end('aborted', undefined, undefined);
  }

  get accumulator(): StreamAccumulator {
    return this.#inner.accumulator;
  }

  get resumed(): number {
    return this.#inner.resumed;
  }

  get lastEventId(): string | undefined {
    return this.#inner.lastEventId;
  }

  async next(): Promise<ChatStreamEvent | undefined> {
    let event: ChatStreamEvent | undefined;
    if (this.#first !== undefined) {
      event = this.#first.event;
      this.#first = undefined;
    } else {
      try {
        event = await this.#inner.next();
      } catch (error) {
        // The stream's own error is what the consumer must see, even if recording it fails.
        await this.#failed(error).catch((recordError: unknown) => this.#logFailure(recordError));
        throw error;
      }
    }
    if (event === undefined) await this.completed();
    return event;
  }

  takeReady(): ChatStreamEvent | undefined {
    // The first event (and the end, which must be settled) go through next().
    return this.#first === undefined ? this.#inner.takeReady() : undefined;
  }

  close(): void {
    this.#inner.close();
    void this.abandoned().catch((error: unknown) => this.#logFailure(error));
  }

  /** The stream failed after its first event; the error carries the usage so far when known. */
  #failed(error: unknown): Promise<CallSettlement> {
    const carried = (error as { usage?: unknown } | undefined)?.usage;
    return this.#end(
      error instanceof AbortError ? 'aborted' : 'error',
      isStreamUsage(carried) ? carried : undefined,
      error,
    );
  }

  #end(status: LedgerStatus, carried: StreamUsage | undefined, error: unknown): Promise<CallSettlement> {
    if (this.#settling !== undefined) return this.#settling;
    const ending: StreamEnding = { status, error, usage: () => this.#usage.of(status, carried) };
    const settling = (this.#settle ?? this.#unmetered)(ending);
    this.#settling = settling;
    settling.then(
      (settlement) => this.#notify({ settlement, error }),
      () => this.#notify({ settlement: undefined, error }),
    );
    // Nothing more will be read: free the socket now rather than when the server finishes. Only
    // once the settlement is claimed: closing the connection stops the stream, which re-enters here.
    if (status !== 'ok') this.controller.abort();
    return settling;
  }

  /** A stream no metering middleware settles still reports its usage (at no cost). */
  readonly #unmetered = async (ending: StreamEnding): Promise<CallSettlement> => ({
    attempt: this.attempts,
    usage: await ending.usage(),
    cost: null,
    status: ending.status,
  });

  #notify(outcome: StreamSettledOutcome): void {
    for (const listener of this.#listeners) listener(outcome);
  }

  #logFailure(error: unknown): void {
    this.#logger.error('Recording the cost of a stream failed', errorFields(error));
  }
}
