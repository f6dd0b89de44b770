import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { parseWire } from '../wire/validate-wire.js';
import { isPlainOpenAIUsage } from './openai-usage-plain-check.js';
import { makeUsage, type Provenance, type Usage, type UsageCounts } from './usage.js';

export interface NormalizeUsageOptions {
  /** Provenance of the counts. Default `reported`. */
  provenance?: Provenance;
  /** How many requests the usage covers. Default 1. */
  requests?: number;
  /** Put into validation errors, to find the call in logs. */
  requestId?: string;
}

const count = z.number().int().nonnegative();
const maybeCount = count.nullish();

const openAIUsageSchema = z.looseObject({
  prompt_tokens: maybeCount,
  completion_tokens: maybeCount,
  total_tokens: maybeCount,
  prompt_tokens_details: z.looseObject({ cached_tokens: maybeCount }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: maybeCount }).nullish(),
  // The Responses API names the same counts input/output.
  input_tokens: maybeCount,
  output_tokens: maybeCount,
  input_tokens_details: z.looseObject({ cached_tokens: maybeCount }).nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: maybeCount }).nullish(),
  // Anthropic-style cache counts, passed through by OpenAI-compatible gateways.
  cache_creation_input_tokens: maybeCount,
  cache_read_input_tokens: maybeCount,
  // aiaas/server's extension: the compute it bills, so a per-compute-second price is not a silent zero.
  compute_ms: maybeCount,
});

const anthropicUsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: maybeCount,
  cache_read_input_tokens: maybeCount,
});

const ollamaUsageSchema = z.looseObject({
  prompt_eval_count: maybeCount,
  eval_count: maybeCount,
  total_duration: maybeCount,
  load_duration: maybeCount,
  prompt_eval_duration: maybeCount,
  eval_duration: maybeCount,
  compute_ms: maybeCount,
});

const aiaasMeteringSchema = z.looseObject({
  compute_ms: maybeCount,
  bytes_in: maybeCount,
  bytes_out: maybeCount,
  tensor_elements: maybeCount,
  requests: maybeCount,
});

const shapedTensors = z.array(z.looseObject({ shape: z.array(count) })).optional();
// One schema per side, each checking only the side it counts: an infer request's `outputs`
// names the outputs it wants and carries no shapes, so it must not be read as tensors.
const tensorShapesSchemas = {
  inputs: z.looseObject({ inputs: shapedTensors }),
  outputs: z.looseObject({ outputs: shapedTensors }),
} as const;

/**
 * OpenAI usage (Chat Completions or Responses) to canonical buckets. `prompt_tokens` INCLUDES
 * `prompt_tokens_details.cached_tokens` (and an Anthropic-style `cache_creation_input_tokens`),
 * and `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens`, so they are
 * subtracted out: the buckets then sum to `total_tokens` and nothing is priced twice.
 *
 * @example
 * normalizeOpenAIUsage({ prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500,
 *   prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 200 } });
 * // inputTokens 176, cacheReadTokens 1024, outputTokens 100, reasoningTokens 200, requests 1
 */
export function normalizeOpenAIUsage(raw: unknown, options: NormalizeUsageOptions = {}): Usage {
  const counts = openAIUsageCounts(raw, options);
  return makeUsage(
    {
      inputTokens: counts.inputTokens,
      cacheReadTokens: counts.cacheReadTokens,
      cacheWriteTokens: counts.cacheWriteTokens,
      outputTokens: counts.outputTokens,
      reasoningTokens: counts.reasoningTokens,
      computeMs: counts.computeMs,
      requests: counts.requests,
    },
    options.provenance ?? 'reported',
  );
}

/**
 * The bucket counts of OpenAI usage (see {@link normalizeOpenAIUsage}), every bucket present:
 * the client adds the measured bytes and makes one {@link Usage} of them. The usage is checked
 * with a structural test of the fields read; zod runs only when that test cannot vouch for it,
 * and stays the one source of rejections and their messages.
 *
 * @example
 * const counts = openAIUsageCounts(completion.usage, { requestId });
 * counts.bytesIn = 310;
 */
export function openAIUsageCounts(raw: unknown, options: NormalizeUsageOptions = {}): UsageCounts {
  // A usage object of a validated response passes the cheap check; anything else gets zod and its error path.
  const usage = isPlainOpenAIUsage(raw)
    ? (raw as ParsedOpenAIUsage)
    : parseWire(openAIUsageSchema, raw, context('OpenAI usage', options));
  const prompt = usage.prompt_tokens ?? usage.input_tokens;
  if (prompt === null || prompt === undefined) {
    throw invalid('prompt_tokens', 'OpenAI usage has neither prompt_tokens nor input_tokens', options);
  }
  const completion = usage.completion_tokens ?? usage.output_tokens ?? 0;
  const cacheRead =
    usage.prompt_tokens_details?.cached_tokens ??
    usage.input_tokens_details?.cached_tokens ??
    usage.cache_read_input_tokens ??
    0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const reasoning =
    usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens ?? 0;
  if (cacheRead + cacheWrite > prompt) {
    throw invalid(
      'prompt_tokens_details.cached_tokens',
      `cache read (${cacheRead}) and cache write (${cacheWrite}) tokens exceed prompt_tokens (${prompt}), which includes them`,
      options,
    );
  }
  if (reasoning > completion) {
    throw invalid(
      'completion_tokens_details.reasoning_tokens',
      `reasoning tokens (${reasoning}) exceed completion_tokens (${completion}), which includes them`,
      options,
    );
  }
  return {
    inputTokens: prompt - cacheRead - cacheWrite,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: completion - reasoning,
    reasoningTokens: reasoning,
    computeMs: usage.compute_ms ?? 0,
    bytesIn: 0,
    bytesOut: 0,
    tensorElements: 0,
    requests: options.requests ?? 1,
    deployedSeconds: 0,
    trainedExamples: 0,
  };
}

type ParsedOpenAIUsage = z.output<typeof openAIUsageSchema>;

/**
 * Anthropic Messages usage: unlike OpenAI, `input_tokens` EXCLUDES cache reads and writes,
 * which are reported beside it. Thinking tokens are part of `output_tokens`.
 *
 * @example
 * normalizeAnthropicUsage({ input_tokens: 20, cache_read_input_tokens: 1800, output_tokens: 90 });
 */
export function normalizeAnthropicUsage(raw: unknown, options: NormalizeUsageOptions = {}): Usage {
  const usage = parseWire(anthropicUsageSchema, raw, context('Anthropic usage', options));
  return makeUsage(
    {
      inputTokens: usage.input_tokens,
      cacheReadTokens: usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
      outputTokens: usage.output_tokens,
      requests: options.requests ?? 1,
    },
    options.provenance ?? 'reported',
  );
}

/**
 * Ollama's final `/api/chat` or `/api/generate` object: `prompt_eval_count` input tokens (absent
 * when the whole prompt came from Ollama's cache, so zero), `eval_count` output tokens, and
 * `total_duration` in nanoseconds (load + prompt + generation) as compute, rounded to the nearest ms,
 * unless the server reports the compute it bills (aiaas/server's `compute_ms`).
 *
 * @example
 * normalizeOllamaUsage({ prompt_eval_count: 26, eval_count: 298, total_duration: 4_883_583_458 });
 * // inputTokens 26, outputTokens 298, computeMs 4884
 */
export function normalizeOllamaUsage(raw: unknown, options: NormalizeUsageOptions = {}): Usage {
  const usage = parseWire(ollamaUsageSchema, raw, context('Ollama usage', options));
  const nanoseconds =
    usage.total_duration ??
    (usage.load_duration ?? 0) + (usage.prompt_eval_duration ?? 0) + (usage.eval_duration ?? 0);
  return makeUsage(
    {
      inputTokens: usage.prompt_eval_count ?? 0,
      outputTokens: usage.eval_count ?? 0,
      // The compute a server billed (aiaas/server's `compute_ms`) when it says; else the time Ollama took.
      computeMs: usage.compute_ms ?? Math.round(nanoseconds / 1_000_000),
      requests: options.requests ?? 1,
    },
    options.provenance ?? 'reported',
  );
}

export interface OipMeasurement {
  /** The infer request body (its input tensor shapes are counted). */
  request?: unknown;
  /** The infer response body (its output tensor shapes are counted when asked). */
  response?: unknown;
  /** Bytes of the request body as sent. */
  bytesIn?: number;
  /** Bytes of the response body as received. */
  bytesOut?: number;
  /** Compute time, when the server reports it. */
  computeMs?: number;
  /** Which tensors count toward `tensorElements`. Default `inputs`. */
  countTensors?: 'inputs' | 'outputs' | 'inputs-and-outputs';
}

/**
 * Open Inference Protocol v2 has no usage object: usage is the bytes exchanged and the tensor
 * elements (the product of each tensor's shape), measured by the client.
 *
 * @example
 * normalizeOipUsage({ request: { inputs: [{ name: 'x', shape: [2, 3], datatype: 'FP32', data: [] }] },
 *   bytesIn: 120, bytesOut: 64 });
 * // tensorElements 6, bytesIn 120, bytesOut 64, requests 1
 */
export function normalizeOipUsage(measurement: OipMeasurement, options: NormalizeUsageOptions = {}): Usage {
  const which = measurement.countTensors ?? 'inputs';
  let elements = 0;
  if (which !== 'outputs' && measurement.request !== undefined) {
    elements += tensorElements(measurement.request, 'inputs', options);
  }
  if (which !== 'inputs' && measurement.response !== undefined) {
    elements += tensorElements(measurement.response, 'outputs', options);
  }
  return makeUsage(
    {
      bytesIn: measurement.bytesIn ?? 0,
      bytesOut: measurement.bytesOut ?? 0,
      computeMs: measurement.computeMs ?? 0,
      tensorElements: elements,
      requests: options.requests ?? 1,
    },
    options.provenance ?? 'reported',
  );
}

/**
 * The aiaas reference server's usage: OpenAI usage on responses, or a billing record's usage
 * (`input_tokens`, `output_tokens`, `compute_ms`, `bytes_in`, `bytes_out`, `tensor_elements`,
 * `requests`). The server has no prompt cache and no reasoning split, so tokens map directly.
 *
 * @example
 * normalizeAiaasUsage({ input_tokens: 12, output_tokens: 8, compute_ms: 31, bytes_in: 310,
 *   bytes_out: 922, tensor_elements: 0, requests: 1 });
 */
export function normalizeAiaasUsage(raw: unknown, options: NormalizeUsageOptions = {}): Usage {
  const metering = parseWire(aiaasMeteringSchema, raw, context('aiaas usage', options));
  const hasTokens =
    metering.prompt_tokens !== undefined ||
    metering.input_tokens !== undefined ||
    metering.total_tokens !== undefined;
  const tokens = hasTokens ? normalizeOpenAIUsage(raw, options) : undefined;
  const provenance = options.provenance ?? 'reported';
  return makeUsage(
    {
      ...(tokens ?? {}),
      computeMs: metering.compute_ms ?? 0,
      bytesIn: metering.bytes_in ?? 0,
      bytesOut: metering.bytes_out ?? 0,
      tensorElements: metering.tensor_elements ?? 0,
      requests: metering.requests ?? options.requests ?? 1,
    },
    provenance,
  );
}

function tensorElements(body: unknown, side: 'inputs' | 'outputs', options: NormalizeUsageOptions): number {
  const parsed: { inputs?: { shape: number[] }[] | undefined; outputs?: { shape: number[] }[] | undefined } =
    parseWire(tensorShapesSchemas[side], body, context(`OIP ${side}`, options));
  let total = 0;
  for (const tensor of parsed[side] ?? []) total += tensor.shape.reduce((product, size) => product * size, 1);
  return total;
}

function context(what: string, options: NormalizeUsageOptions) {
  return { subject: 'response' as const, what, requestId: options.requestId };
}

function invalid(path: string, message: string, options: NormalizeUsageOptions): ValidationError {
  return new ValidationError(`Invalid usage: ${message}.`, {
    issues: [{ path, message }],
    subject: 'response',
    requestId: options.requestId,
  });
}
