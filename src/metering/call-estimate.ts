import { type EstimatedMessage, estimatePromptTokens, estimateTokens } from '../cost/cost-estimator.js';
import { normalizeOipUsage } from '../cost/usage-normalizers.js';
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
  /**
   * The request body's size in bytes, counted as the transport counts `bodyBytes.sent`
   * (UTF-8 of `JSON.stringify(body)`); set where the wire body is the request as validated.
   */
  readonly bytesIn?: number;
  /** OIP input tensor elements, counted as the usage normalizer counts them. */
  readonly tensorElements?: number;
}

/** The bytes the transport will send for a JSON body (the way it counts `bodyBytes.sent`). */
export function requestBodyBytes(body: unknown): number {
  return Buffer.byteLength(JSON.stringify(body));
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
 * Embeddings produce no output tokens: the input tokens and request bytes are known; the
 * response bytes are not (a declared `costBounds` ceiling covers them).
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
  // The openai provider sends the validated request as the body, unchanged.
  return { model: request.model, promptTokens, maxOutputTokens: 0, bytesIn: requestBodyBytes(request) };
}

/**
 * OIP inference: no tokens; the request bytes and input tensor elements are known exactly
 * (the oip provider sends the validated request as the body).
 *
 * @example
 * estimateInferenceCall('ref-classify', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
 * // { model: 'ref-classify', promptTokens: 0, maxOutputTokens: 0, bytesIn: 77, tensorElements: 4 }
 */
export function estimateInferenceCall(model: string, request: { inputs: unknown }): CallEstimate {
  return {
    model,
    promptTokens: 0,
    maxOutputTokens: 0,
    bytesIn: requestBodyBytes(request),
    tensorElements: normalizeOipUsage({ request }).tensorElements.value,
  };
}
