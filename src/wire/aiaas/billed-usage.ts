/**
 * The buckets a provider bills one request by, with no cache or reasoning split: aiaas/server
 * meters, prices and lists these (`input_tokens`, `compute_ms`, `bytes_in`, …).
 */
export const BILLED_BUCKETS = [
  'inputTokens',
  'outputTokens',
  'computeMs',
  'bytesIn',
  'bytesOut',
  'tensorElements',
  'requests',
] as const;

/** One request's billed counts, plain numbers: the vocabulary the server's meter and records share with the SDK. */
export type BilledUsage = Record<(typeof BILLED_BUCKETS)[number], number>;
