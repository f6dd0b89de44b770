import type { LedgerStatus } from '../cost/ledger-entry.js';
import type { Money } from '../cost/money.js';
import { addUsage, type Usage } from '../cost/usage.js';
import { AbortError } from '../errors/index.js';
import type { ProviderName } from '../providers/provider-types.js';
import type { StreamUsage } from '../streaming/chat-stream-events.js';
import type { StreamAccumulator } from '../streaming/stream-accumulator.js';
import { estimateUsage } from '../streaming/usage-estimate.js';
import type { TelemetryCallScope } from '../telemetry/telemetry-hook.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';
import type { CallCostMeter } from './call-cost-meter.js';
import { serverRecordUsage, streamUsageBuckets } from './call-usage.js';
import type { StreamBodyBytes } from './stream-body-bytes.js';
import type { StreamCancellation } from './stream-cancellation.js';

/** What a stream cost, once it ended. */
export interface StreamCost {
  readonly usage: Usage;
  /** Null without pricing. */
  readonly cost: Money | null;
}

export interface StreamCostRecorderInit {
  readonly meter: CallCostMeter;
  /** The attempt that opened the stream (its resumes belong to it). */
  readonly attempt: number;
  readonly requestId: string | undefined;
  readonly provider: ProviderName;
  /** Counted before sending, so a stream that ends early still pays for its input. */
  readonly promptTokens: number;
  readonly accumulator: StreamAccumulator;
  /** Aborting it closes the stream's HTTP body (and any resume) at once. */
  readonly connection: AbortController;
  /** The bytes the stream exchanged, added to its usage as measured (the server bills them). */
  readonly bytes?: StreamBodyBytes | undefined;
  /** The call's span (client option `telemetry`): told the ledger entry, then ended. */
  readonly telemetry?: TelemetryCallScope | undefined;
  /**
   * How to stop the stream on the server and read what it billed, when its opening response
   * advertised it: an unfinished stream is then recorded at the server's exact usage.
   */
  readonly cancellation?: StreamCancellation | undefined;
  /** Where the stream got to (the stream's event source): the cancellation names the last event read. */
  readonly position?: { readonly lastEventId: string | undefined } | undefined;
  /** Told when a cancellation fails and the usage falls back to an estimate. */
  readonly logger?: SdkLogger | undefined;
}

function isStreamUsage(value: unknown): value is StreamUsage {
  return typeof value === 'object' && value !== null && 'tokens' in value && 'provenance' in value;
}

/**
 * Records a stream's one ledger entry when it ends, whichever way: `ok` with the usage it
 * reported, or — broken, aborted, or left by its consumer — `error`/`aborted` with the usage the
 * server billed when it can cancel the stream (see {@link StreamCancellation}), else the usage so
 * far, estimated from what was received. Then it settles the budget with that cost. The first
 * ending wins; later ones get the same result, so a stream is never recorded twice.
 *
 * @example
 * const recorder = new StreamCostRecorder({ meter, attempt: 1, requestId, provider: 'openai', promptTokens, accumulator, connection });
 * const { usage, cost } = await recorder.completed();
 */
export class StreamCostRecorder {
  readonly #init: StreamCostRecorderInit;
  #recorded: Promise<StreamCost> | undefined;

  constructor(init: StreamCostRecorderInit) {
    this.#init = init;
  }

  /** The recording under way or done, if the stream has ended. */
  get recorded(): Promise<StreamCost> | undefined {
    return this.#recorded;
  }

  /** The stream reached its end: usage as reported (or estimated by the reader when the tail was lost). */
  completed(): Promise<StreamCost> {
    return this.#record('ok', undefined);
  }

  /** The stream failed after its first event; the error carries the usage so far when known. */
  failed(error: unknown): Promise<StreamCost> {
    const carried = (error as { usage?: unknown } | undefined)?.usage;
    return this.#record(
      error instanceof AbortError ? 'aborted' : 'error',
      isStreamUsage(carried) ? carried : undefined,
      error,
    );
  }

  /** The consumer stopped reading (`break`, `abort()`, its signal). */
  abandoned(): Promise<StreamCost> {
    return this.#record('aborted', undefined);
  }

  #record(status: LedgerStatus, carried: StreamUsage | undefined, error?: unknown): Promise<StreamCost> {
    if (this.#recorded !== undefined) return this.#recorded;
    this.#recorded = this.#write(status, carried, error);
    // Nothing more will be read: free the socket now rather than when the server finishes. Only
    // once the recording is claimed: closing the connection stops the stream, which re-enters here.
    if (status !== 'ok') this.#init.connection.abort();
    return this.#recorded;
  }

  async #write(status: LedgerStatus, carried: StreamUsage | undefined, error: unknown): Promise<StreamCost> {
    const { accumulator, meter } = this.#init;
    try {
      // Unfinished: what the server billed, when it can say; else an estimate of what was received.
      let usage = status === 'ok' ? undefined : await this.#billedUsage();
      if (usage === undefined) {
        const streamUsage =
          carried ??
          accumulator.usage ??
          (await estimateUsage(accumulator.outputTexts(), { promptTokens: this.#init.promptTokens }));
        const tokens = streamUsageBuckets(streamUsage, this.#init.provider);
        usage = this.#init.bytes === undefined ? tokens : addUsage(tokens, this.#init.bytes.usage());
      }
      const cost = await meter.record({
        attempt: this.#init.attempt,
        requestId: this.#init.requestId,
        usage,
        status,
      });
      this.#init.telemetry?.recorded({ attempt: this.#init.attempt, usage, cost, status });
      return { usage, cost };
    } finally {
      void this.#init.telemetry?.end(error);
      await meter.finish();
    }
  }

  /** The server's billed usage of an unfinished stream, or undefined when it cannot say (then: estimate). */
  async #billedUsage(): Promise<Usage | undefined> {
    const { cancellation } = this.#init;
    if (cancellation === undefined) return undefined;
    try {
      return serverRecordUsage(await cancellation.cancel(this.#init.position?.lastEventId));
    } catch (error) {
      this.#init.logger?.warn(
        'Cancelling an unfinished stream on the server failed; its cost is estimated from what was received.',
        { requestId: this.#init.requestId, ...errorFields(error) },
      );
      return undefined;
    }
  }
}
