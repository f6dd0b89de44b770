import { type EstimatedMessage, estimatePromptTokens, estimateTokens } from '../cost/cost-estimator.js';
import type { ChatCompletionRequest } from '../wire/openai/chat-schemas.js';
import type { CompletionRequest } from '../wire/openai/completion-schemas.js';
import type { EmbeddingRequest } from '../wire/openai/embedding-schemas.js';

/**
 * What a call can cost before it is sent, in tokens: the prompt (a local gpt-tokenizer count,
 * or the provider's exact `/tokenize` count) and the most output it can be billed for.
 */
export interface CallEstimate {
  readonly model: string;
  readonly promptTokens: number;
  /** The output cap over every choice and prompt; undefined when the request sets no `max_tokens`. */
  readonly maxOutputTokens: number | undefined;
}

/** `max_tokens` caps each choice; `n` choices (and, for completions, each prompt) multiply it. */
function outputCap(maxTokens: number | null | undefined, copies: number): number | undefined {
  return maxTokens === null || maxTokens === undefined ? undefined : maxTokens * copies;
}

/** Chat messages as the estimator counts them (the wire type's content parts are wider). */
export function messagesForEstimate(request: ChatCompletionRequest): EstimatedMessage[] {
  return request.messages.map((message) => ({
    role: message.role,
    ...('name' in message && typeof message.name === 'string' ? { name: message.name } : {}),
    content: (message.content ?? null) as EstimatedMessage['content'],
  }));
}

/**
 * @example
 * estimateChatCall({ model: 'ref-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 });
 * // { model: 'ref-chat', promptTokens: 8, maxOutputTokens: 16 }
 */
export function estimateChatCall(request: ChatCompletionRequest): CallEstimate {
  return {
    model: request.model,
    promptTokens: estimatePromptTokens(messagesForEstimate(request)),
    maxOutputTokens: outputCap(request.max_completion_tokens ?? request.max_tokens, request.n ?? 1),
  };
}

/** The prompts of a text completion as texts and token-id lists. */
function completionPrompts(prompt: CompletionRequest['prompt']): (string | readonly number[])[] {
  if (typeof prompt === 'string') return [prompt];
  if (prompt.every((item) => typeof item === 'number')) return [prompt as number[]];
  return prompt as (string | number[])[];
}

/**
 * @example
 * estimateCompletionCall({ model: 'ref-chat', prompt: ['a', 'b'], max_tokens: 8 }); // maxOutputTokens 16
 */
export function estimateCompletionCall(request: CompletionRequest): CallEstimate {
  const prompts = completionPrompts(request.prompt);
  let promptTokens = 0;
  for (const prompt of prompts)
    promptTokens += typeof prompt === 'string' ? estimateTokens(prompt) : prompt.length;
  return {
    model: request.model,
    promptTokens,
    maxOutputTokens: outputCap(request.max_tokens, prompts.length * (request.n ?? 1)),
  };
}

/**
 * Embeddings produce no output tokens: the input is the whole cost.
 *
 * @example
 * estimateEmbeddingCall({ model: 'ref-embed', input: ['a', 'b'] }); // maxOutputTokens 0
 */
export function estimateEmbeddingCall(request: EmbeddingRequest): CallEstimate {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  let promptTokens = 0;
  for (const input of inputs) {
    if (typeof input === 'string') promptTokens += estimateTokens(input);
    else if (typeof input === 'number') promptTokens += 1;
    else promptTokens += input.length;
  }
  return { model: request.model, promptTokens, maxOutputTokens: 0 };
}
