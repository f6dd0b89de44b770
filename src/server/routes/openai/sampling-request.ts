import type { SamplingOptions } from '../../generation/model-contracts.js';
import { badRequest } from '../../http/http-error.js';

/** The sampling fields chat and text completions share (see `samplingFields` in the wire schemas). */
export interface SamplingRequestFields {
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  top_k?: number | null | undefined;
  n?: number | null | undefined;
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  stop?: string | string[] | null | undefined;
  seed?: number | null | undefined;
  presence_penalty?: number | null | undefined;
  frequency_penalty?: number | null | undefined;
  logit_bias?: Record<string, number> | null | undefined;
}

export interface SamplingLimits {
  /** Used when the request has no `seed`: the server's seed. */
  defaultSeed: number;
  promptTokens: number;
  maxModelLength: number;
  /** `prompt` or `messages`, named when the prompt alone is too long. */
  promptParam: string;
}

/** Completion length when the request names none: long enough for a reply, short enough to be quick. */
export const defaultMaxTokens = 256;

function rejectUnsupported(request: SamplingRequestFields): void {
  // Accepting these and ignoring them would give results the caller did not ask for.
  if ((request.presence_penalty ?? 0) !== 0)
    throw badRequest(
      'presence_penalty is not supported by ref-chat.',
      'presence_penalty',
      'unsupported_parameter',
    );
  if ((request.frequency_penalty ?? 0) !== 0)
    throw badRequest(
      'frequency_penalty is not supported by ref-chat.',
      'frequency_penalty',
      'unsupported_parameter',
    );
  if (Object.keys(request.logit_bias ?? {}).length > 0)
    throw badRequest('logit_bias is not supported by ref-chat.', 'logit_bias', 'unsupported_parameter');
}

function completionBudget(request: SamplingRequestFields, limits: SamplingLimits): number {
  const room = limits.maxModelLength - limits.promptTokens;
  if (room <= 0) {
    throw badRequest(
      `The prompt has ${limits.promptTokens} tokens; this model's maximum context length is ${limits.maxModelLength} tokens.`,
      limits.promptParam,
      'context_length_exceeded',
    );
  }
  const requested = request.max_completion_tokens ?? request.max_tokens;
  if (requested === null || requested === undefined) return Math.min(defaultMaxTokens, room);
  if (requested > room) {
    const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    throw badRequest(
      `This model's maximum context length is ${limits.maxModelLength} tokens; the prompt has ${limits.promptTokens} and ${requested} more were requested.`,
      param,
      'context_length_exceeded',
    );
  }
  return requested;
}

/**
 * The sampling options of each of the `n` choices. Choice `i` samples with `seed + i`, so
 * every choice differs yet the whole answer is reproducible; without a `seed` the server's
 * seed is used. Temperature defaults to 1 as in OpenAI's API (0 is greedy).
 *
 * @example
 * samplingOptionsFor({ n: 2, seed: 7 }, { defaultSeed: 42, promptTokens: 10, maxModelLength: 4096, promptParam: 'messages' });
 * // two options, seeds 7 and 8
 */
export function samplingOptionsFor(
  request: SamplingRequestFields,
  limits: SamplingLimits,
): SamplingOptions[] {
  rejectUnsupported(request);
  const maxTokens = completionBudget(request, limits);
  const stopValue = request.stop ?? [];
  const stop = (typeof stopValue === 'string' ? [stopValue] : stopValue).filter(
    (sequence) => sequence !== '',
  );
  const seed = request.seed ?? limits.defaultSeed;
  const topK = request.top_k ?? 0;
  return Array.from({ length: request.n ?? 1 }, (_, index) => ({
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    topK: Math.max(topK, 0),
    // Seeds wrap to 32 bits, as the sampler's PRNG does; the derivation stays deterministic for any JSON integer.
    seed: ((seed >>> 0) + index) >>> 0,
    maxTokens,
    stop,
  }));
}
