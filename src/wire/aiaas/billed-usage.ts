/**
 * The buckets a provider bills by, with no cache or reasoning split: aiaas/server meters,
 * prices and lists these (`input_tokens`, `compute_ms`, `bytes_in`, …, `deployed_seconds`, `trained_examples`).
 */
export const BILLED_BUCKETS = [
  'inputTokens',
  'outputTokens',
  'computeMs',
  'bytesIn',
  'bytesOut',
  'tensorElements',
  'requests',
  /** Seconds a tenant's deployed model was READY (pay per model), billed apart from its requests. */
  'deployedSeconds',
  /** Examples a fine-tuning job trained on, once per epoch (examples × epochs), billed apart from requests. */
  'trainedExamples',
] as const;

/** One request's billed counts, plain numbers: the vocabulary the server's meter and records share with the SDK. */
export type BilledUsage = Record<(typeof BILLED_BUCKETS)[number], number>;

/** The model name aiaas/server bills fine-tuning under: its rate card prices training like a model. */
export const FINE_TUNING_BILLING_MODEL = 'aiaas-fine-tuning';
