import { randomBytes } from 'node:crypto';
import { billedComputeMs } from '../../billing/metered-usage.js';
import type { UsageMeter } from '../../http/usage-meter.js';

/** Names the model build in responses, so a client can tell when answers may change. */
export const systemFingerprint = 'fp_aiaas_ref_1';

/** A fresh id such as `chatcmpl-3f9a…` (OpenAI's prefixes: `chatcmpl`, `cmpl`). */
export function newCompletionId(prefix: 'chatcmpl' | 'cmpl'): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/**
 * OpenAI's usage object plus `compute_ms`, the model compute billed so far (an aiaas
 * extension; OpenAI clients ignore unknown usage fields). Without it a client could not
 * record the compute a per-compute-second price charges.
 */
export function usageOf(promptTokens: number, completionTokens: number, meter: UsageMeter) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    compute_ms: billedComputeMs(meter.snapshot().computeMs),
  };
}
