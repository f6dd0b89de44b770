import { makeUsage, type Usage } from '../cost/usage.js';
import type { ResponseTooLargeError } from '../errors/index.js';
import type { CallEstimate } from './call-estimate.js';

/** The usual rule of thumb for text, applied to a JSON body that could not be parsed: bytes per token. */
const bytesPerToken = 4;

/**
 * The usage of a JSON call whose answer passed `maxResponseBytes`: the provider did the work and
 * bills it, so the call keeps a ledger entry, all of it `estimated` — the prompt as counted
 * before sending, output tokens from the bytes that arrived (never more than the request's
 * `max_tokens` allows), and the bytes exchanged as far as the client read them.
 *
 * @example
 * oversizedResponseUsage(error, call.metering.estimate()); // inputTokens, outputTokens, bytesIn, bytesOut, requests 1
 */
export function oversizedResponseUsage(error: ResponseTooLargeError, estimate: CallEstimate): Usage {
  const byBytes = Math.ceil(error.receivedBytes / bytesPerToken);
  const { maxOutputTokens } = estimate;
  return makeUsage(
    {
      inputTokens: estimate.promptTokens,
      outputTokens: maxOutputTokens === undefined ? byBytes : Math.min(byBytes, maxOutputTokens),
      bytesIn: error.sentBytes ?? estimate.bytesIn ?? 0,
      bytesOut: error.receivedBytes,
      tensorElements: estimate.tensorElements ?? 0,
      requests: 1,
    },
    'estimated',
  );
}
