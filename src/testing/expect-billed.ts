import { AssertionError } from 'node:assert';
import type { Ledger } from '../cost/ledger.js';
import type { LedgerEntry } from '../cost/ledger-entry.js';
import { type ReconcileField, type ReconcileResult, reconcile } from '../cost/reconcile.js';
import { parseServerUsage, type ServerUsageList } from '../wire/aiaas/server-usage-schemas.js';
import { describeBillingDifferences, groupDiffers } from './billing-difference-report.js';

/** Where the bill is read: a reference server's base URL and the API key whose usage it is. */
export interface BilledServer {
  readonly url: string;
  /** The tenant's key (the server answers each key with its own records); none for an open server. */
  readonly apiKey?: string | undefined;
}

/**
 * The usage a client sees for itself: tokens and requests. Compute time is the server's own
 * measure, and streams carry no byte counts to the client, so comparing those by default would
 * fail every run; the cost, compared too, still catches a call billed on them wrongly.
 */
export const defaultBilledFields: readonly ReconcileField[] = ['inputTokens', 'outputTokens', 'requests'];

/** Options of {@link expectBilled}. */
export interface ExpectBilledOptions {
  /** Usage fields compared; {@link defaultBilledFields} by default (`RECONCILE_FIELDS` for all). */
  fields?: readonly ReconcileField[] | undefined;
  /** Compare money as well as usage (default true). Turn off for a client without `pricing`. */
  cost?: boolean | undefined;
  /**
   * Milliseconds to keep re-reading the bill while it differs (default 1000): the server settles
   * a record when the response has ended, which can be a moment after the client has its answer.
   */
  settleMs?: number | undefined;
}

/** Thrown by {@link expectBilled}; `result` is the whole reconciliation. */
export class BillingMismatchError extends AssertionError {
  readonly result: ReconcileResult;

  constructor(message: string, result: ReconcileResult) {
    super({ message });
    this.name = 'BillingMismatchError';
    this.result = result;
  }
}

async function fetchServerUsage(server: BilledServer): Promise<ServerUsageList> {
  const root = server.url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const response = await fetch(`${root}/v1/usage`, {
    headers: {
      accept: 'application/json',
      ...(server.apiKey === undefined ? {} : { authorization: `Bearer ${server.apiKey}` }),
    },
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `expectBilled: GET ${root}/v1/usage answered ${response.status}: ${text.slice(0, 300)} (is this an aiaas reference server, and is the API key right?)`,
    );
  }
  return parseServerUsage(JSON.parse(text));
}

function differs(result: ReconcileResult, compareCost: boolean): boolean {
  return result.groups.some((group) => groupDiffers(group, compareCost));
}

/**
 * Asserts that the server billed exactly what the client recorded: reads the reference
 * server's `GET /v1/usage` for the key and reconciles it with the ledger, call by call (retries
 * and resumed streams grouped by idempotency key): token counts, requests and the exact cost. Resolves with the reconciliation; rejects
 * with a {@link BillingMismatchError} listing every differing call and field.
 *
 * @example
 * const reference = useReferenceServer();
 * it('bills what it records', async () => {
 *   const client = reference.client({ pricing: 'server' });
 *   await client.chat.completions.create(chat('ref-chat').user('hi').maxTokens(8));
 *   await expectBilled(client.ledger, reference);
 * });
 */
export async function expectBilled(
  ledger: Pick<Ledger, 'entries'> | readonly LedgerEntry[],
  server: BilledServer,
  options: ExpectBilledOptions = {},
): Promise<ReconcileResult> {
  const compareCost = options.cost ?? true;
  const settleBy = Date.now() + (options.settleMs ?? 1000);
  const reconcileOptions = { fields: options.fields ?? defaultBilledFields };
  for (;;) {
    const entries = Array.isArray(ledger)
      ? (ledger as readonly LedgerEntry[])
      : await (ledger as Pick<Ledger, 'entries'>).entries();
    const result = reconcile(entries, await fetchServerUsage(server), reconcileOptions);
    if (!differs(result, compareCost)) return result;
    if (Date.now() >= settleBy) {
      throw new BillingMismatchError(describeBillingDifferences(result, { compareCost }), result);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
