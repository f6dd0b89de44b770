import type { StreamUsage } from './chat-stream-events.js';
import { countO200kTokens } from './o200k-token-count.js';

/** Counts the tokens of a text, the way the model's tokenizer would (or close to it). */
export type TokenEstimator = (text: string) => number;

export interface EstimateUsageOptions {
  /** Counts output tokens; gpt-tokenizer o200k when not given. */
  estimateTokens?: TokenEstimator | undefined;
  /** Prompt tokens when known (e.g. counted before sending); 0 otherwise. */
  promptTokens?: number | undefined;
}

/**
 * Usage computed from what was received, for a stream whose provider never reported it (it
 * broke early, or usage was not requested). Tagged `estimated`. A text over a million
 * characters is counted from samples of it, scaled to its length.
 *
 * @example
 * await estimateUsage(['Hello there'], { promptTokens: 12 });
 * // { tokens: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 }, provenance: 'estimated', raw: undefined }
 */
export async function estimateUsage(
  outputTexts: readonly string[],
  options: EstimateUsageOptions = {},
): Promise<StreamUsage> {
  const texts = outputTexts.filter((text) => text !== '');
  // Nothing to count needs no tokenizer: a stream that failed before its first token stays cheap.
  const estimate = texts.length === 0 ? () => 0 : (options.estimateTokens ?? countO200kTokens);
  let completionTokens = 0;
  for (const text of texts) completionTokens += countOf(estimate, text);
  const promptTokens = wholeCount(options.promptTokens ?? 0);
  return {
    tokens: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    provenance: 'estimated',
    raw: undefined,
  };
}

/** Texts up to this many characters are counted whole; longer ones from samples. */
const wholeTextCharacters = 1024 * 1024;
const sampleCount = 4;
const sampleCharacters = wholeTextCharacters / sampleCount;

/**
 * The token count of `text`; a text too long to count whole (a runaway stream holds up to
 * `maxResponseBytes` of it) is counted from samples spread over it and scaled to its length:
 * tokenizing hundreds of megabytes would take minutes and gigabytes, and the count is an estimate anyway.
 */
function countOf(estimate: TokenEstimator, text: string): number {
  if (text.length <= wholeTextCharacters) return wholeCount(estimate(text));
  const stride = Math.floor((text.length - sampleCharacters) / (sampleCount - 1));
  let sampled = 0;
  for (let index = 0; index < sampleCount; index += 1) {
    const start = index * stride;
    sampled += wholeCount(estimate(text.slice(start, start + sampleCharacters)));
  }
  return Math.round(sampled * (text.length / (sampleCount * sampleCharacters)));
}

// Usage counts are non-negative integers on the wire; an estimator returning 2.5 or NaN must
// not leak a value no provider would send.
function wholeCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
