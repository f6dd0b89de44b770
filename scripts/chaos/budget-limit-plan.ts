import { resolveCostBound } from '../../src/cost/cost-bounds.js';
import { quoteRange } from '../../src/cost/cost-estimator.js';
import { Money } from '../../src/cost/money.js';
import type { PriceCatalog } from '../../src/cost/price-catalog.js';
import {
  estimateChatCall,
  estimateEmbeddingCall,
  estimateInferenceCall,
} from '../../src/metering/call-estimate.js';
import type { PlannedCall } from './call-plan.js';
import { chaosCostBounds } from './chaos-clients.js';

interface PlannedEstimate {
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  bytesIn?: number;
  tensorElements?: number;
}

function estimateOf(call: PlannedCall): PlannedEstimate {
  switch (call.kind) {
    case 'chat':
    case 'chat-stream': {
      const estimate = estimateChatCall(call.request);
      return { ...estimate, maxOutputTokens: estimate.maxOutputTokens ?? 0 };
    }
    case 'embedding':
      return { ...estimateEmbeddingCall(call.request), maxOutputTokens: 0 };
    case 'infer':
      return { ...estimateInferenceCall(call.model, { inputs: call.inputs }), maxOutputTokens: 0 };
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
    const bound = resolveCostBound(chaosCostBounds, estimate.model);
    const { max } = quoteRange({
      ...estimate,
      catalog,
      maxOutputBytes: bound?.maxOutputBytes ?? 0,
      maxComputeMs: bound?.maxComputeMs ?? 0,
    });
    total = total === undefined ? max : total.plus(max);
  }
  // Decimal text, not a float product: money never goes through binary floating point.
  return (total ?? Money.zero('USD')).times(share.toFixed(6));
}
