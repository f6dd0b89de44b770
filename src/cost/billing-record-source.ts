import type { LedgerStatus } from './ledger-entry.js';
import type { Money } from './money.js';
import type { Usage } from './usage.js';

/**
 * One attempt as the provider billed it. Recovery needs a record per request — its request id
 * or the call's idempotency key is what links it to a reservation and to the ledger.
 */
export interface ProviderBillingRecord {
  /** The provider's id of the record (stable: recovering it twice is refused by its entry id). */
  readonly id: string;
  readonly requestId: string;
  readonly idempotencyKey: string | null;
  /** The attempt of the logical call (1 for the first). */
  readonly attempt: number;
  readonly model: string;
  readonly status: LedgerStatus;
  readonly time: Date;
  /** What the provider metered, every count tagged `recovered`. */
  readonly usage: Usage;
  readonly cost: Money;
}

/** Which records to fetch; `since` inclusive, `until` exclusive. Every field is optional. */
export interface BillingRecordFilter {
  since?: Date;
  until?: Date;
  model?: string;
  /** Only the records of one logical call. */
  idempotencyKey?: string;
}

/**
 * Where `recoverUsage()` reads what a provider billed, one record per request.
 *
 * Which providers can say that: aiaas/server's `GET /v1/usage` lists every billed attempt with
 * its request id and idempotency key ({@link ServerBillingSource}). OpenAI's usage and costs
 * APIs (`/v1/organization/usage/*`, `/v1/organization/costs`) cannot: they give sums per time
 * bucket (a day for costs), per model, project or key, with no request id, so a single call
 * cannot be matched — reconcile their totals instead. Ollama bills nothing (it runs locally,
 * and reports usage only in each response), and Open Inference Protocol servers (Triton,
 * KServe, MLServer) have no billing API, so neither has anything to recover. A gateway or
 * proxy that logs each request with its id can implement this interface.
 *
 * @example
 * class ProxyLogSource implements BillingRecordSource {
 *   readonly name = 'my-proxy';
 *   async records(filter: BillingRecordFilter) { return (await readProxyLog(filter)).map(toBillingRecord); }
 * }
 */
export interface BillingRecordSource {
  /** Names the provider in the ledger entries recovered from it when no reservation names one. */
  readonly name: string;
  records(filter: BillingRecordFilter): Promise<ProviderBillingRecord[]>;
}
