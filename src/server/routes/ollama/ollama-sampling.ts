import type { OllamaOptions } from '../../../wire/ollama/ollama-common.js';
import type { SamplingOptions } from '../../generation/model-contracts.js';
import { badRequest } from '../../http/http-error.js';
import { type SamplingLimits, samplingOptionsFor } from '../openai/sampling-request.js';

/** Ollama's documented sampling defaults (its Modelfile parameters), used when `options` leaves one out. */
const ollamaDefaults = { temperature: 0.8, top_p: 0.9, top_k: 40 } as const;

/**
 * The completion length `num_predict` asks for: a count, -1 (until the model stops) or -2
 * (fill the context), both bounded by the context left; a count past the context is cut to
 * it, as Ollama does. Unset: the server's default length.
 */
function maxTokensOf(numPredict: number | undefined, limits: SamplingLimits): number | undefined {
  if (numPredict === undefined) return undefined;
  if (numPredict === 0 || numPredict < -2) {
    throw badRequest(
      `options.num_predict must be a positive number of tokens, -1 or -2; got ${numPredict}.`,
      'options.num_predict',
    );
  }
  const room = limits.maxModelLength - limits.promptTokens;
  // No room at all is left to samplingOptionsFor, which names the prompt as too long.
  if (room <= 0) return numPredict;
  return numPredict < 0 ? room : Math.min(numPredict, room);
}

/**
 * Ollama `options` (`temperature`, `top_p`, `top_k`, `seed`, `num_predict`, `stop`) as the
 * ref-chat sampling the OpenAI routes use. Without a seed the server's seed is used, so answers
 * are reproducible; penalties other than none are refused there as for OpenAI requests.
 *
 * @example
 * ollamaSamplingOptions({ temperature: 0, num_predict: 8 }, { defaultSeed: 42, promptTokens: 10, maxModelLength: 4096, promptParam: 'messages' });
 */
export function ollamaSamplingOptions(
  options: OllamaOptions | undefined,
  limits: SamplingLimits,
): SamplingOptions {
  const given = options ?? {};
  const [sampling] = samplingOptionsFor(
    {
      temperature: given.temperature ?? ollamaDefaults.temperature,
      top_p: given.top_p ?? ollamaDefaults.top_p,
      top_k: given.top_k ?? ollamaDefaults.top_k,
      max_tokens: maxTokensOf(given.num_predict, limits),
      stop: given.stop,
      seed: given.seed,
      presence_penalty: given.presence_penalty,
      frequency_penalty: given.frequency_penalty,
    },
    limits,
  );
  return sampling!;
}
