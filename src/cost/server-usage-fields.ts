import type { BilledUsage } from '../wire/aiaas/billed-usage.js';
import type { ServerUsageRecord } from '../wire/aiaas/server-usage-schemas.js';

/**
 * A billing record's counts renamed to the SDK's usage fields, for reconciling and for
 * recording what the server reported.
 *
 * @example
 * serverUsageFields(record).outputTokens; // 9
 */
export function serverUsageFields(record: ServerUsageRecord): BilledUsage {
  const { usage } = record;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    computeMs: usage.compute_ms,
    bytesIn: usage.bytes_in,
    bytesOut: usage.bytes_out,
    tensorElements: usage.tensor_elements,
    requests: usage.requests,
    deployedSeconds: usage.deployed_seconds ?? 0,
    trainedExamples: usage.trained_examples ?? 0,
  };
}
