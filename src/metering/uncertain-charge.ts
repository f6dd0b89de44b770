import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { BillingRecordSource, ProviderBillingRecord } from '../cost/billing-record-source.js';
import type { LedgerStatus } from '../cost/ledger-entry.js';
import { ServerBillingSource } from '../cost/server-billing-source.js';
import { makeUsage, USAGE_BUCKETS, type Usage, type UsageInput } from '../cost/usage.js';
import { AbortError } from '../errors/index.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';
import type { CallCostMeter } from './call-cost-meter.js';
import type { CallEstimate } from './call-estimate.js';

/** How long a call whose answer never came waits for the provider's record by default. */
export const defaultUncertainChargeWaitMs = 10_000;

/** The first wait between two reads of the provider's records; it doubles up to the cap. */
const firstPollDelayMs = 100;
const largestPollDelayMs = 1_000;

/** How the client reads a provider's billing records of one call, when the provider keeps them. */
export interface UncertainChargesOptions {
  /**
   * Where the provider's records are read (aiaas/server's `GET /v1/usage`), given the
   * `authorization` header the call went out with; undefined for a provider with no record per
   * request (OpenAI-compatible servers other than aiaas/server, OIP, Ollama).
   */
  readonly billingSource: ((authorization: string | undefined) => BillingRecordSource) | undefined;
  /** The longest a call waits for the provider's record before it is charged its reserved maximum. */
  readonly waitMs: number;
  readonly logger: SdkLogger;
}

/** One call whose charge is uncertain, as its failure left it. */
export interface UncertainCall {
  readonly meter: CallCostMeter;
  readonly idempotencyKey: string | undefined;
  readonly estimate: () => CallEstimate;
  /** The call's own headers (an `authorization` there means another tenant paid). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly error: unknown;
}

/**
 * The charges of calls that failed after their request may have reached the provider (issue 15:
 * a timed-out call is still run and billed by a provider that honours its Idempotency-Key). The
 * reservation is not released: it stays held while the provider's own record of the call is read
 * in the background, with backoff, for at most `waitMs`. The records found become `reported`
 * ledger entries at the provider's exact cost and the reservation settles at their sum; with no
 * record by then the call is charged its reserved maximum, as an `estimated` entry. The caller's
 * call rejects at once; {@link settled} (and `client.close()`) waits for these resolutions.
 *
 * @example
 * const charges = new UncertainCharges({ billingSource, waitMs: 10_000, logger });
 * await charges.finishFailed({ meter, idempotencyKey, estimate, headers, error }, call.progress.reachedProvider);
 * await charges.settled();
 */
export class UncertainCharges {
  readonly #options: UncertainChargesOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: UncertainChargesOptions) {
    this.#options = options;
  }

  /** How many calls' charges are being resolved now. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Ends a failed call's cost side: an uncertain call is held and resolved in the background;
   * any other (nothing sent, or an answer that was already recorded) settles or releases now.
   */
  finishFailed(call: UncertainCall, attemptsThatReachedProvider: number): Promise<void> {
    if (attemptsThatReachedProvider === 0 || call.meter.hasRecorded) return call.meter.finish();
    const resolution = this.#resolve(call, attemptsThatReachedProvider).finally(() =>
      this.#pending.delete(resolution),
    );
    this.#pending.add(resolution);
    return Promise.resolve();
  }

  /**
   * Resolves once every uncertain charge under way has been recorded. Calls that are failing at
   * this moment (a `close()` just aborted them) reach their handlers a few turns of the event
   * loop later, so it first lets them, and keeps waiting while new ones appear.
   */
  async settled(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < 3) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#pending.size === 0) {
        quietTurns += 1;
        continue;
      }
      quietTurns = 0;
      await Promise.all(this.#pending);
    }
  }

  // Never rejects: it runs with no one awaiting it, so a failure is logged, never left unhandled.
  async #resolve(call: UncertainCall, attempts: number): Promise<void> {
    const { meter } = call;
    const status: LedgerStatus = call.error instanceof AbortError ? 'aborted' : 'error';
    try {
      const records = await this.#providerRecords(call, attempts);
      if (records.length > 0) {
        for (const record of records) {
          await meter.record({
            attempt: record.attempt,
            requestId: record.requestId,
            usage: reportedUsage(record.usage),
            status,
            cost: record.cost,
          });
        }
      } else {
        await meter.record({
          attempt: attempts,
          requestId: undefined,
          usage: estimatedUsage(call.estimate()),
          status,
          // The reservation is the most the call could cost: with no record, it is what it cost.
          cost: meter.reservedAmount,
        });
      }
    } catch (error) {
      this.#options.logger.error('Recording the charge of a call with no answer failed', {
        idempotencyKey: call.idempotencyKey,
        ...errorFields(error),
      });
    }
    try {
      await meter.finish();
    } catch (error) {
      this.#options.logger.error('Settling the budget of a call with no answer failed', {
        idempotencyKey: call.idempotencyKey,
        ...errorFields(error),
      });
    }
  }

  /**
   * The provider's records of the call, read until they are complete (one per attempt that may
   * have reached it, or the same list twice in a row: a retry the provider answered by replay
   * bills nothing) or until `waitMs` passes; empty when the provider keeps none.
   */
  async #providerRecords(call: UncertainCall, attempts: number): Promise<ProviderBillingRecord[]> {
    const { billingSource, waitMs } = this.#options;
    if (billingSource === undefined || call.idempotencyKey === undefined) return [];
    const source = billingSource(authorizationOf(call.headers));
    const giveUpAt = Date.now() + waitMs;
    let delay = firstPollDelayMs;
    let previous: ProviderBillingRecord[] = [];
    for (;;) {
      try {
        const records = await source.records({ idempotencyKey: call.idempotencyKey });
        if (records.length >= attempts) return records;
        if (records.length > 0 && sameRecords(records, previous)) return records;
        previous = records;
      } catch (error) {
        // A failed read is retried until the deadline: the record is what the charge hangs on.
        this.#options.logger.warn('Reading the provider billing records of a call with no answer failed', {
          idempotencyKey: call.idempotencyKey,
          ...errorFields(error),
        });
      }
      const left = giveUpAt - Date.now();
      if (left <= 0) return previous;
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, largestPollDelayMs);
    }
  }
}

/**
 * The billing source of aiaas/server's `GET /v1/usage`, read with the call's own credentials and
 * through the client's dispatcher. A short timeout per read: the whole wait is bounded anyway.
 */
export function serverBillingSourceFor(
  baseURL: string,
  clientAuthorization: string | undefined,
  dispatcher: Dispatcher,
): (authorization: string | undefined) => BillingRecordSource {
  return (authorization) => {
    const header = authorization ?? clientAuthorization;
    const apiKey = header === undefined ? null : header.replace(/^Bearer\s+/i, '');
    return new ServerBillingSource({ baseURL, apiKey, dispatcher, timeoutMs: 5_000 });
  };
}

function authorizationOf(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  return Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
}

function sameRecords(
  left: readonly ProviderBillingRecord[],
  right: readonly ProviderBillingRecord[],
): boolean {
  return left.length === right.length && left.every((record, index) => record.id === right[index]?.id);
}

/** The provider's counts as it reported them (recovery tags them `recovered`; here the call is live). */
function reportedUsage(usage: Usage): Usage {
  const counts: UsageInput = {};
  for (const bucket of USAGE_BUCKETS) counts[bucket] = usage[bucket].value;
  return makeUsage(counts, 'reported');
}

/** What the reservation was priced on: the prompt, the full output cap and the request, all `estimated`. */
function estimatedUsage(estimate: CallEstimate): Usage {
  return makeUsage(
    {
      inputTokens: estimate.promptTokens,
      outputTokens: estimate.maxOutputTokens ?? 0,
      tensorElements: estimate.tensorElements ?? 0,
      bytesIn: estimate.bytesIn ?? 0,
      requests: 1,
    },
    'estimated',
  );
}
