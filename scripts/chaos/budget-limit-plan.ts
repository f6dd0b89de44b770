import { estimateChatCall, estimateEmbeddingCall } from '../../src/client/call-estimate.js';
import { quoteRange } from '../../src/cost/cost-estimator.js';
import { Money } from '../../src/cost/money.js';
import type { PriceCatalog } from '../../src/cost/price-catalog.js';
import type { PlannedCall } from './call-plan.js';

function estimateOf(call: PlannedCall): { model: string; promptTokens: number; maxOutputTokens: number } {
  switch (call.kind) {
    case 'chat':
    case 'chat-stream': {
      const estimate = estimateChatCall(call.request);
      return { ...estimate, maxOutputTokens: estimate.maxOutputTokens ?? 0 };
    }
    case 'embedding':
      return { ...estimateEmbeddingCall(call.request), maxOutputTokens: 0 };
    case 'infer':
      return { model: call.model, promptTokens: 0, maxOutputTokens: 0 };
  }
}

/**
 * The hard limit of a run: `share` of the most the planned calls can cost by their quotes (the
 * same quotes the client reserves). Below 1, the budget runs out part way through the run, so
 * the run shows that the limit holds while calls are still being made.
 *
 * @example
 * const limit = plannedBudgetLimit(calls, catalog, 0.75); // a Money in the catalog's currency
 */
export function plannedBudgetLimit(
  calls: readonly PlannedCall[],
  catalog: PriceCatalog,
  share: number,
): Money {
  let total: Money | undefined;
  for (const call of calls) {
    const estimate = estimateOf(call);
    const { max } = quoteRange({ ...estimate, catalog });
    total = total === undefined ? max : total.plus(max);
  }
  // Decimal text, not a float product: money never goes through binary floating point.
  return (total ?? Money.zero('USD')).times(share.toFixed(6));
}
