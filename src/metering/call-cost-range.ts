import { type CostBounds, resolveCostBound } from '../cost/cost-bounds.js';
import { type Quote, quoteRange } from '../cost/cost-estimator.js';
import type { PriceCatalog } from '../cost/price-catalog.js';
import type { Provenance } from '../cost/usage.js';
import type { CallEstimate } from './call-estimate.js';

/** One call's cost range as the cost layer sees it before sending. */
export interface CallCostRangeOptions {
  readonly estimate: CallEstimate;
  /** The output cap to price as the maximum. */
  readonly maxOutputTokens: number;
  readonly catalog: PriceCatalog;
  readonly at: Date;
  /** The client's declared ceilings of request bytes, response bytes and compute time. */
  readonly costBounds: CostBounds | undefined;
  /** The prompt's tokens when counted otherwise (the provider's `/tokenize`); else the estimate's. */
  readonly promptTokens?: number | undefined;
  readonly provenance?: Provenance | undefined;
}

/**
 * THE cost range of a call before it is sent, shared by `client.quote()` and the budget
 * reservation of `CostAccounting.begin`, so a quote's `max` is what a budgeted call reserves:
 * the prompt, the output cap, the request bytes (counted, else the declared `maxInputBytes`),
 * the tensor elements, and the declared ceilings of response bytes and compute time.
 *
 * @example
 * const { min, max } = callCostRange({ estimate, maxOutputTokens: 64, catalog, at: new Date(), costBounds });
 */
export function callCostRange(options: CallCostRangeOptions): Quote {
  const { estimate, catalog, at } = options;
  const bound = resolveCostBound(options.costBounds, estimate.model);
  return quoteRange({
    model: estimate.model,
    promptTokens: options.promptTokens ?? estimate.promptTokens,
    maxOutputTokens: options.maxOutputTokens,
    catalog,
    at,
    ...(options.provenance === undefined ? {} : { provenance: options.provenance }),
    bytesIn: estimate.bytesIn ?? bound?.maxInputBytes ?? 0,
    tensorElements: estimate.tensorElements ?? 0,
    maxOutputBytes: bound?.maxOutputBytes ?? 0,
    maxComputeMs: bound?.maxComputeMs ?? 0,
  });
}
