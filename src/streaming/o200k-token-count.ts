import { createRequire } from 'node:module';

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

// Special-token markers in user text or model output are ordinary characters to a provider;
// count them as text (gpt-tokenizer would throw on them by default).
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let countTokens: CountTokens | undefined;

/**
 * Counts tokens with gpt-tokenizer's o200k_base encoding (GPT-4o and later). Its tables take
 * hundreds of milliseconds to build, so they are loaded on the first count, not when aiaas is
 * imported: an app without budgets or broken streams never pays for them.
 *
 * @example
 * countO200kTokens('Hello, world!'); // 4
 */
export function countO200kTokens(text: string): number {
  countTokens ??= (
    createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }
  ).countTokens;
  return countTokens(text, PLAIN_TEXT);
}
