import { isChatBuilder } from '../builders/chat-builder.js';
import type { Quote } from '../cost/cost-estimator.js';
import { AiaasError, APIError } from '../errors/index.js';
import { callCostRange } from '../metering/call-cost-range.js';
import { type CallEstimate, estimateChatCall, estimateCompletionCall } from '../metering/call-estimate.js';
import type { CostAccounting } from '../metering/cost-accounting.js';
import { UnsupportedOperationError } from '../providers/unsupported-operation-error.js';
import { type CompletionRequest, completionRequestSchema } from '../wire/openai/completion-schemas.js';
import type { TokenizeRequest, TokenizeResponse } from '../wire/openai/tokenize-schemas.js';
import { invalidRequest, validateRequest } from './request-validation.js';
import { type ChatCompletionParams, resolveChatParams } from './resources/chat-completions-resource.js';

/** Chat params (or a builder), or text completion params. */
export type QuoteParams = ChatCompletionParams | CompletionRequest;

/**
 * Options of `client.quote()`.
 *
 * @example
 * await client.quote(params, { exact: true, maxOutputTokens: 256 });
 */
export interface QuoteOptions {
  /**
   * Count the prompt with the provider's `/tokenize` (a `reported` count, and its context length
   * bounds the output when `max_tokens` is unset). Falls back to the local gpt-tokenizer estimate
   * when the provider has no `/tokenize`.
   */
  exact?: boolean | undefined;
  /** The output cap to quote when the params set no `max_tokens`. */
  maxOutputTokens?: number | undefined;
  /** When the call will run (selects the price version). Default now. */
  at?: Date | undefined;
}

interface PreparedQuote {
  estimate: CallEstimate;
  tokenizeRequest: TokenizeRequest | undefined;
  copies: number;
}

function prepareQuote(params: QuoteParams): PreparedQuote {
  if (!isChatBuilder(params) && 'prompt' in params) {
    const request = validateRequest(completionRequestSchema, params, 'completion request');
    const single = typeof request.prompt === 'string';
    return {
      estimate: estimateCompletionCall(request),
      // Several prompts or token ids: the local count is already exact for ids, and close for texts.
      tokenizeRequest: single ? { model: request.model, prompt: request.prompt as string } : undefined,
      copies: request.n ?? 1,
    };
  }
  const request = resolveChatParams(params);
  return {
    estimate: estimateChatCall(request),
    tokenizeRequest: { model: request.model, messages: request.messages },
    copies: request.n ?? 1,
  };
}

/** A provider without a `/tokenize` route: the quote falls back to the local estimate. */
function lacksTokenize(error: unknown): boolean {
  if (error instanceof UnsupportedOperationError) return true;
  return error instanceof APIError && [404, 405, 501].includes(error.status ?? 0);
}

/**
 * The cost range of a call before it is sent: `min` is the input alone, `max` the input plus
 * the full output cap and the declared `costBounds` ceilings, as a budgeted call reserves it.
 * Needs `pricing`.
 *
 * @example
 * const { min, max } = await quoteCall(costs, tokenize, chat('ref-chat').user('hi').maxTokens(64), { exact: true });
 */
export async function quoteCall(
  costs: CostAccounting,
  tokenize: (request: TokenizeRequest) => Promise<TokenizeResponse>,
  params: QuoteParams,
  options: QuoteOptions,
): Promise<Quote> {
  const { estimate, tokenizeRequest, copies } = prepareQuote(params);
  const catalog = await costs.catalog();
  if (catalog === undefined) {
    throw new AiaasError('client.quote() needs `pricing` (a PriceCatalog, or "server") on the client.', {
      code: 'no_pricing',
    });
  }
  let promptTokens = estimate.promptTokens;
  let provenance: Quote['provenance'] = 'estimated';
  let contextLength: number | undefined;
  if (options.exact === true && tokenizeRequest !== undefined) {
    try {
      const counted = await tokenize(tokenizeRequest);
      promptTokens = counted.count;
      provenance = 'reported';
      contextLength = counted.max_model_len;
    } catch (error) {
      if (!lacksTokenize(error)) throw error;
    }
  }
  const fromContext =
    contextLength === undefined ? undefined : Math.max(0, contextLength - promptTokens) * copies;
  const maxOutputTokens = options.maxOutputTokens ?? estimate.maxOutputTokens ?? fromContext;
  if (maxOutputTokens === undefined) {
    throw invalidRequest(
      'max_tokens',
      'the output has no cap to quote: set max_tokens, pass quote(params, { maxOutputTokens }), or use { exact: true } with a provider whose /tokenize reports the context length',
    );
  }
  // The same range a budgeted call reserves (request bytes, declared `costBounds`), not a second copy.
  return callCostRange({
    estimate,
    promptTokens,
    maxOutputTokens,
    catalog,
    at: options.at ?? new Date(),
    costBounds: costs.costBounds,
    provenance,
  });
}
