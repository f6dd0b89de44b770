const openAICountFields = [
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'compute_ms',
] as const;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isMaybeCount(value: unknown): boolean {
  return value === undefined || value === null || (Number.isSafeInteger(value) && (value as number) >= 0);
}

function isMaybeDetails(value: unknown, field: string): boolean {
  return value === undefined || value === null || (isPlainRecord(value) && isMaybeCount(value[field]));
}

/**
 * True when every field the OpenAI usage schema checks is a count or absent (what a validated
 * response holds), so zod's copy would read the same as `raw`; false when zod must decide.
 *
 * @example
 * isPlainOpenAIUsage({ prompt_tokens: 12, completion_tokens: 3 }); // true
 */
export function isPlainOpenAIUsage(raw: unknown): raw is Record<string, unknown> {
  if (!isPlainRecord(raw)) return false;
  for (const field of openAICountFields) if (!isMaybeCount(raw[field])) return false;
  return (
    isMaybeDetails(raw.prompt_tokens_details, 'cached_tokens') &&
    isMaybeDetails(raw.completion_tokens_details, 'reasoning_tokens') &&
    isMaybeDetails(raw.input_tokens_details, 'cached_tokens') &&
    isMaybeDetails(raw.output_tokens_details, 'reasoning_tokens')
  );
}
