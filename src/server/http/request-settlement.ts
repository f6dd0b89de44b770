import type { ResponseOutcome } from './request-context.js';

/** How the work behind an answer ended: ran to its end, failed, or was cut short. */
export type WorkOutcome = 'completed' | 'failed' | 'aborted';

/** What is known once a request is settled. */
export interface Settlement {
  response: ResponseOutcome;
  /** The outcome of tracked work (a stream's generation); undefined when none was tracked. */
  work: WorkOutcome | undefined;
}

/**
 * Collects the work a request started that may outlive its route call (a streamed
 * generation, possibly recorded for resumption after the client left) and tells listeners
 * once all of it ended and the answer was written: the moment billing and rate limits read
 * the final usage. The dispatcher waits for `ended()`, so in-flight tracking (and a graceful
 * `close()`) covers the work too.
 *
 * @example
 * context.settlement.onSettled(({ response, work }) => bill(context.meter.snapshot(), work));
 * context.settlement.track(recording.then(() => 'completed'));
 */
export class RequestSettlement {
  readonly #pending: Promise<void>[] = [];
  readonly #listeners: ((settlement: Settlement) => void)[] = [];
  #work: WorkOutcome | undefined;
  #settled = false;

  /** Adds work the request waits for; a rejection counts as `failed`. */
  track(work: Promise<WorkOutcome>): void {
    this.#pending.push(
      work.then(
        (outcome) => {
          this.#work = outcome;
        },
        () => {
          this.#work = 'failed';
        },
      ),
    );
  }

  /** True while tracked work may still be running: without any, `ended()` need not be awaited. */
  get hasPendingWork(): boolean {
    return this.#pending.length > 0;
  }

  /** Resolves once every tracked piece of work ended, including work tracked while waiting. */
  async ended(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
  }

  onSettled(listener: (settlement: Settlement) => void): void {
    this.#listeners.push(listener);
  }

  /** Called once by the dispatcher after `ended()`; later calls do nothing. */
  settle(response: ResponseOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    const settlement: Settlement = { response, work: this.#work };
    for (const listener of this.#listeners.splice(0)) listener(settlement);
  }
}
