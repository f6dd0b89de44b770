import type { ServerUsageRecord } from '../wire/aiaas/server-usage-schemas.js';

/** A billing record's counts under the SDK's usage names (tokens as totals). */
export interface ServerUsageFields {
  inputTokens: number;
  outputTokens: number;
  computeMs: number;
  bytesIn: number;
  bytesOut: number;
  tensorElements: number;
  requests: number;
}

/**
 * A billing record's counts renamed to the SDK's usage fields, for reconciling and for
 * recording what the server reported.
 *
 * @example
 * serverUsageFields(record).outputTokens; // 9
 */
export function serverUsageFields(record: ServerUsageRecord): ServerUsageFields {
  const { usage } = record;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    computeMs: usage.compute_ms,
    bytesIn: usage.bytes_in,
    bytesOut: usage.bytes_out,
    tensorElements: usage.tensor_elements,
    requests: usage.requests,
  };
}
