import { AiaasError } from '../errors/index.js';
import { countO200kTokens } from '../streaming/o200k-token-count.js';
import type { Money } from './money.js';
import type { PriceCatalog } from './price-catalog.js';
import { makeUsage, type Provenance } from './usage.js';

// OpenAI's chat format adds a few tokens around each message and primes the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const TOKENS_FOR_REPLY_PRIMING = 3;

/**
 * Counts tokens with the o200k_base encoding (GPT-4o and later). An estimate for other
 * model families: treat the count as `estimated`, and prefer a provider's `/tokenize` when it has one.
 *
 * @example
 * estimateTokens('Hello, world!'); // 4
 */
export function estimateTokens(text: string): number {
  return countO200kTokens(text);
}

/** A chat message as far as counting goes: text content, or parts of which the text ones count. */
export interface EstimatedMessage {
  role: string;
  name?: string;
  content: string | readonly { type: string; text?: string }[] | null;
}

/**
 * Estimates a chat prompt's input tokens: each message's text plus OpenAI's per-message framing.
 *
 * @example
 * estimatePromptTokens([{ role: 'user', content: 'hi' }]);
 */
export function estimatePromptTokens(messages: readonly EstimatedMessage[]): number {
  let total = TOKENS_FOR_REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + estimateTokens(message.role);
    if (message.name !== undefined) total += TOKENS_PER_NAME + estimateTokens(message.name);
    if (typeof message.content === 'string') total += estimateTokens(message.content);
    else
      for (const part of message.content ?? [])
        if (part.text !== undefined) total += estimateTokens(part.text);
  }
  return total;
}

export interface QuoteRangeOptions {
  model: string;
  /** Input tokens, from a tokenizer or a provider's `/tokenize`. */
  promptTokens: number;
  /** The call's output cap (`max_tokens`): the most output it can be billed for. */
  maxOutputTokens: number;
  catalog: PriceCatalog;
  /** When the call will run; selects the price version. Default now. */
  at?: Date;
  /** `estimated` for a local tokenizer count (default), `reported` for a provider's `/tokenize`. */
  provenance?: Provenance;
  /** The request body's exact size in bytes (known before sending; in `min` and `max`). Default 0. */
  bytesIn?: number;
  /** OIP input tensor elements (known before sending; in `min` and `max`). Default 0. */
  tensorElements?: number;
  /** A declared ceiling of the response bytes (in `max` only). Default 0. */
  maxOutputBytes?: number;
  /** A declared ceiling of the compute milliseconds (in `max` only). Default 0. */
  maxComputeMs?: number;
}

/** The range a call can cost before it is sent. */
export interface Quote {
  model: string;
  currency: string;
  /** Input (tokens, request bytes, tensor elements) and the per-request fee: what the call costs if it produces nothing. */
  min: Money;
  /** `min` plus `maxOutputTokens` at the higher of the output and reasoning rates, `maxOutputBytes` and `maxComputeMs`. */
  max: Money;
  promptTokens: number;
  maxOutputTokens: number;
  bytesIn: number;
  tensorElements: number;
  maxOutputBytes: number;
  maxComputeMs: number;
  provenance: Provenance;
}

/**
 * Quotes a call before it is sent. What is known exactly (request bytes, tensor elements, the
 * request) is in both ends; response bytes and compute time are in `max` only as far as the
 * caller declares ceilings for them (`maxOutputBytes`, `maxComputeMs`) — a card that bills them
 * with no ceiling is quoted without them, which a hard budget refuses (see `requireCostBounds`).
 *
 * @example
 * const quote = quoteRange({ model: 'gpt-4o', promptTokens: estimateTokens(prompt), maxOutputTokens: 256, catalog });
 * await budget.reserve(quote.max, ['global']);
 */
export function quoteRange(options: QuoteRangeOptions): Quote {
  const { model, promptTokens, maxOutputTokens, catalog } = options;
  const bytesIn = options.bytesIn ?? 0;
  const tensorElements = options.tensorElements ?? 0;
  const maxOutputBytes = options.maxOutputBytes ?? 0;
  const maxComputeMs = options.maxComputeMs ?? 0;
  for (const [name, value] of [
    ['promptTokens', promptTokens],
    ['maxOutputTokens', maxOutputTokens],
    ['bytesIn', bytesIn],
    ['tensorElements', tensorElements],
    ['maxOutputBytes', maxOutputBytes],
    ['maxComputeMs', maxComputeMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new AiaasError(`quoteRange ${name} must be a non-negative integer, got ${String(value)}.`);
    }
  }
  const at = options.at ?? new Date();
  const provenance = options.provenance ?? 'estimated';
  const input = { inputTokens: promptTokens, bytesIn, tensorElements, requests: 1 };
  const min = catalog.cost(model, makeUsage(input, provenance), at).total;
  const bounded = { ...input, bytesOut: maxOutputBytes, computeMs: maxComputeMs };
  const asOutput = catalog.cost(
    model,
    makeUsage({ ...bounded, outputTokens: maxOutputTokens }, provenance),
    at,
  ).total;
  // Reasoning may be billed above the output rate; the cap covers both kinds of output.
  const asReasoning = catalog.cost(
    model,
    makeUsage({ ...bounded, reasoningTokens: maxOutputTokens }, provenance),
    at,
  );
  const max = asReasoning.total.compare(asOutput) > 0 ? asReasoning.total : asOutput;
  return {
    model,
    currency: min.currency,
    min,
    max,
    promptTokens,
    maxOutputTokens,
    bytesIn,
    tensorElements,
    maxOutputBytes,
    maxComputeMs,
    provenance,
  };
}
