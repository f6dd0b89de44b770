import type { LedgerStatus } from '../../cost/ledger-entry.js';
import { addUsage, type Usage } from '../../cost/usage.js';
import { serverRecordUsage, streamUsageBuckets } from '../../metering/call-usage.js';
import type { ProviderName } from '../../providers/provider-types.js';
import type { StreamUsage } from '../../streaming/chat-stream-events.js';
import type { StreamAccumulator } from '../../streaming/stream-accumulator.js';
import { estimateUsage } from '../../streaming/usage-estimate.js';
import { errorFields, type SdkLogger } from '../../transport/sdk-logger.js';
import type { StreamBodyBytes } from './stream-body-bytes.js';
import type { StreamCancellation } from './stream-cancellation.js';

export interface StreamEndingUsageInit {
  readonly provider: ProviderName;
  readonly requestId: string | undefined;
  /** Counted before sending, so a stream that ends early still pays for its input. */
  readonly promptTokens: number;
  readonly accumulator: StreamAccumulator;
  /** The bytes the stream exchanged, added to its usage as measured (the server bills them). */
  readonly bytes: StreamBodyBytes;
  /**
   * How to stop the stream on the server and read what it billed, when its opening response
   * advertised it: an unfinished stream is then recorded at the server's exact usage.
   */
  readonly cancellation: StreamCancellation | undefined;
  /** Where the stream got to: the cancellation names the last event read. */
  readonly position: { readonly lastEventId: string | undefined };
  /** Told when a cancellation fails and the usage falls back to an estimate. */
  readonly logger: SdkLogger;
}

/**
 * What a stream used when it ended: `ok` with the usage it reported (or the reader's estimate
 * when the tail was lost); broken or left, the usage the server billed when it can cancel the
 * stream (see {@link StreamCancellation}), else what the error carried, else an estimate of
 * what was received. The bytes exchanged are added as measured.
 *
 * @example
 * const usage = await new StreamEndingUsage(init).of('aborted', undefined);
 */
export class StreamEndingUsage {
  readonly #init: StreamEndingUsageInit;

  constructor(init: StreamEndingUsageInit) {
    this.#init = init;
  }

  async of(status: LedgerStatus, carried: StreamUsage | undefined): Promise<Usage> {
    const billed = status === 'ok' ? undefined : await this.#billedUsage();
    if (billed !== undefined) return billed;
    const { accumulator } = this.#init;
    const streamUsage =
      carried ??
      accumulator.usage ??
      (await estimateUsage(accumulator.outputTexts(), { promptTokens: this.#init.promptTokens }));
    return addUsage(streamUsageBuckets(streamUsage, this.#init.provider), this.#init.bytes.usage());
  }

  /** The server's billed usage of an unfinished stream, or undefined when it cannot say (then: estimate). */
  async #billedUsage(): Promise<Usage | undefined> {
    const { cancellation } = this.#init;
    if (cancellation === undefined) return undefined;
    try {
      return serverRecordUsage(await cancellation.cancel(this.#init.position.lastEventId));
    } catch (error) {
      this.#init.logger.warn(
        'Cancelling an unfinished stream on the server failed; its cost is estimated from what was received.',
        { requestId: this.#init.requestId, ...errorFields(error) },
      );
      return undefined;
    }
  }
}
