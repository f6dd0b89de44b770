import { estimateTokens } from '../cost/cost-estimator.js';
import { serverUsageFields } from '../cost/server-usage-fields.js';
import { addUsage, makeUsage, type Usage, usageFromCounts } from '../cost/usage.js';
import {
  normalizeOipUsage,
  normalizeOllamaUsage,
  normalizeOpenAIUsage,
  openAIUsageCounts,
} from '../cost/usage-normalizers.js';
import type { StreamUsage } from '../streaming/chat-stream-events.js';
import type { ResponseInfo } from '../transport/transport-types.js';
import type { ServerUsageRecord } from '../wire/aiaas/server-usage-schemas.js';
import type { OpenAIUsage } from '../wire/openai/openai-common.js';

/** Embeddings report input tokens only. */
type EmbeddingUsage = { prompt_tokens: number; total_tokens: number };

/**
 * Adds the body sizes the transport measured. They are exact (`reported`): the same bytes a
 * provider billing per MB meters, so a per-MB price is never a silent zero.
 */
export function withMeasuredBytes(usage: Usage, response: ResponseInfo): Usage {
  const bytes = response.bodyBytes;
  if (bytes === undefined) return usage;
  return addUsage(usage, makeUsage({ bytesIn: bytes.sent, bytesOut: bytes.received, requests: 0 }));
}

/**
 * Usage of a JSON call in OpenAI's shape (the openai provider, and ollama's answers mapped to
 * it): `prompt_tokens` includes cached tokens, `completion_tokens` reasoning ones. A response
 * without usage is estimated from the prompt and the generated text, tagged `estimated`.
 *
 * @example
 * tokenUsage(completion.usage, response, () => ({ promptTokens: 12, outputTexts: ['Hello'] }));
 */
export function tokenUsage(
  reported: OpenAIUsage | EmbeddingUsage | null | undefined,
  response: ResponseInfo,
  estimate: () => { promptTokens: number; outputTexts: readonly string[] },
): Usage {
  if (reported !== null && reported !== undefined) {
    // One usage, bytes included: no intermediate usages to make and add (this runs per call).
    const counts = openAIUsageCounts(
      reported,
      response.requestId === undefined ? {} : { requestId: response.requestId },
    );
    const bytes = response.bodyBytes;
    if (bytes !== undefined) {
      counts.bytesIn = bytes.sent;
      counts.bytesOut = bytes.received;
    }
    return usageFromCounts(counts, 'reported');
  }
  const { promptTokens, outputTexts } = estimate();
  let outputTokens = 0;
  for (const text of outputTexts) outputTokens += estimateTokens(text);
  const estimated = makeUsage({ inputTokens: promptTokens, outputTokens }, 'estimated');
  return withMeasuredBytes(addUsage(estimated, makeUsage({ requests: 1 })), response);
}

/**
 * Open Inference Protocol: no usage object, so the client counts the input tensor elements and
 * the bytes exchanged. Compute time is read from the response's `parameters.compute_ms` when
 * the server reports it (aiaas/server does); otherwise it is not visible and stays 0.
 *
 * @example
 * inferUsage(request, response, result); // tensorElements, bytesIn, bytesOut, computeMs, requests 1
 */
export function inferUsage(
  request: { inputs: unknown },
  response: ResponseInfo,
  result?: { parameters?: Record<string, unknown> | undefined },
): Usage {
  const computeMs = result?.parameters?.compute_ms;
  return normalizeOipUsage(
    {
      request,
      ...(response.bodyBytes === undefined
        ? {}
        : { bytesIn: response.bodyBytes.sent, bytesOut: response.bodyBytes.received }),
      ...(typeof computeMs === 'number' && Number.isSafeInteger(computeMs) && computeMs >= 0
        ? { computeMs }
        : {}),
    },
    response.requestId === undefined ? {} : { requestId: response.requestId },
  );
}

/**
 * A stream's usage as buckets: Ollama's own counters when it sent them (its final line), else
 * the OpenAI-shaped tokens, keeping the stream's provenance (`reported` or `estimated`).
 *
 * @example
 * streamUsageBuckets(final.usage, 'openai');
 */
export function streamUsageBuckets(usage: StreamUsage, provider: string): Usage {
  const provenance = usage.provenance;
  if (provider === 'ollama' && usage.raw !== undefined && usage.raw !== null) {
    return normalizeOllamaUsage(usage.raw, { provenance });
  }
  return normalizeOpenAIUsage(usage.tokens, { provenance });
}

/**
 * A provider's own billing record (aiaas/server `GET /v1/usage`, or the record a stream
 * cancellation returns) as buckets, all `reported`. Its tokens are totals with no cache or
 * reasoning split, so they land in the uncached-input and text-output buckets: the totals
 * reconcile compares are then the record's own.
 *
 * @example
 * serverRecordUsage(cancellation.record).outputTokens; // { value: 9, provenance: 'reported' }
 */
export function serverRecordUsage(record: ServerUsageRecord): Usage {
  return makeUsage(serverUsageFields(record));
}
