import type { Settlement } from '../http/request-settlement.js';
import type { BillingStatus } from './billing-record.js';

export interface AttemptFacts {
  settlement: Settlement;
  /** The route (or a layer inside billing) threw instead of answering. */
  threw: boolean;
  /** The request's work signal fired: the work was cut short, not broken. */
  workAborted: boolean;
  /** The answer outlives the client (an Idempotency-Key): it is kept for a retry or a resume. */
  keptForRetry: boolean;
}

/**
 * How a billed attempt ended. A stream is judged by its generation (with an Idempotency-Key
 * it runs on after a dropped connection, and a resume delivers the rest at no charge, so a
 * finished generation is `ok` however its sockets fared). Anything else is judged by its
 * answer: a failure is `error` (or `aborted` when the work was cut short), an answer the
 * client left before receiving is `aborted` unless it was kept for replay.
 *
 * @example
 * billingStatusOf({ settlement: { response, work: 'completed' }, threw: false, workAborted: false, keptForRetry: true }); // 'ok'
 */
export function billingStatusOf(facts: AttemptFacts): BillingStatus {
  const { response, work } = facts.settlement;
  if (work !== undefined) return work === 'completed' ? 'ok' : work === 'failed' ? 'error' : 'aborted';
  if (facts.threw) return facts.workAborted ? 'aborted' : 'error';
  if (response.disconnected && !facts.keptForRetry) return 'aborted';
  return response.status >= 400 ? 'error' : 'ok';
}
