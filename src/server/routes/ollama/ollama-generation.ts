import { performance } from 'node:perf_hooks';
import type { OllamaFormat, OllamaOptions } from '../../../wire/ollama/ollama-common.js';
import { billedComputeMs } from '../../billing/metered-usage.js';
import type { RequestContext } from '../../http/request-context.js';
import { eventStreamResponse, jsonResponse, type RouteResponse } from '../../http/route-response.js';
import type { ReferenceChatModel } from '../../models/reference-chat-model.js';
import type { GenerationRun } from '../openai/interleaved-generations.js';
import { meteredGeneration } from '../openai/metered-generation.js';
import { withFormat } from './ollama-format.js';
import { ollamaSamplingOptions } from './ollama-sampling.js';

export interface OllamaGenerationInit {
  context: RequestContext;
  chat: ReferenceChatModel;
  /**
   * What both routes' requests say about the answer: the model as named (`ref-chat:latest`
   * stays so; every line repeats it), `options` (mapped onto ref-chat's sampling), `stream`
   * and `format` (JSON output).
   */
  request: {
    model: string;
    options?: OllamaOptions | undefined;
    stream?: boolean | undefined;
    format?: OllamaFormat | undefined;
  };
  promptIds: readonly number[];
  /** The server's seed, for requests that send none. */
  defaultSeed: number;
  /** `/api/chat` lines carry `message`; `/api/generate` lines `response`, the last one the `context` ids. */
  shape: 'chat' | 'generate';
  /** `performance.now()` when the request reached the route: `total_duration` counts from there. */
  startedAt: number;
}

type OllamaLine = Record<string, unknown> & { done: boolean };

function nanosecondsBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.round((toMs - fromMs) * 1_000_000));
}

/** Ollama streams unless told not to. */
function streams(init: OllamaGenerationInit): boolean {
  return init.request.stream ?? true;
}

function lineOf(init: OllamaGenerationInit, text: string, done: boolean): OllamaLine {
  const head = { model: init.request.model, created_at: new Date().toISOString() };
  return init.shape === 'chat'
    ? { ...head, message: { role: 'assistant', content: text }, done }
    : { ...head, response: text, done };
}

/**
 * The answer's lines: one per decoded text piece, then the `done: true` line with
 * `done_reason`, the counters and the durations in nanoseconds (prompt evaluation runs until
 * the first token, evaluation after it; models are always loaded, so `load_duration` is 0),
 * plus `compute_ms`, the compute billed (an aiaas extension, as in OpenAI usage). Unstreamed,
 * only the last line is sent, with the whole text. Ending early ends the generation.
 */
async function* answerLines(init: OllamaGenerationInit, run: GenerationRun): AsyncGenerator<OllamaLine> {
  const evaluationStartedAt = performance.now();
  const generatedIds: number[] = [];
  let text = '';
  let firstTokenAt: number | undefined;
  let finished = false;
  try {
    for (;;) {
      const next = await run.next();
      if (next.done) {
        finished = true;
        const endedAt = performance.now();
        const evaluatedAt = firstTokenAt ?? endedAt;
        const result = next.value;
        yield {
          ...lineOf(init, streams(init) ? '' : text, true),
          done_reason: result.finishReason,
          ...(init.shape === 'generate' ? { context: [...init.promptIds, ...generatedIds] } : {}),
          total_duration: nanosecondsBetween(init.startedAt, endedAt),
          load_duration: 0,
          prompt_eval_count: init.promptIds.length,
          prompt_eval_duration: nanosecondsBetween(evaluationStartedAt, evaluatedAt),
          eval_count: result.completionTokens,
          eval_duration: nanosecondsBetween(evaluatedAt, endedAt),
          compute_ms: billedComputeMs(init.context.meter.snapshot().computeMs),
        };
        return;
      }
      firstTokenAt ??= performance.now();
      generatedIds.push(next.value.tokenId);
      const delta = next.value.textDelta;
      if (delta === '') continue;
      text += delta;
      if (streams(init)) yield lineOf(init, delta, false);
    }
  } finally {
    if (!finished) await run.return(undefined as never).catch(() => undefined);
  }
}

async function* jsonLines(lines: AsyncIterable<OllamaLine>): AsyncGenerator<string> {
  for await (const line of lines) yield JSON.stringify(line);
}

/**
 * Runs one ref-chat generation for `/api/chat` or `/api/generate` with the sampling its
 * `options` ask for, metered like the OpenAI
 * routes' (prompt tokens now, each output token as it is sampled, the compute it took), as
 * NDJSON lines (the stream framing follows the Ollama dialect) or as one JSON object.
 *
 * @example
 * return ollamaGeneration({ context, chat, request, promptIds, defaultSeed: 42, shape: 'chat', startedAt });
 */
export async function ollamaGeneration(init: OllamaGenerationInit): Promise<RouteResponse> {
  const { context, chat } = init;
  const sampling = withFormat(
    ollamaSamplingOptions(init.request.options, {
      defaultSeed: init.defaultSeed,
      promptTokens: init.promptIds.length,
      maxModelLength: chat.maxModelLength,
      promptParam: init.shape === 'chat' ? 'messages' : 'prompt',
    }),
    init.request.format,
    chat,
  );
  context.meter.addTokens({ input: init.promptIds.length });
  // Billed under the served name, which the rate card prices, whatever tag the request used.
  context.model = chat.name;
  const run = meteredGeneration(
    chat.generate(init.promptIds, sampling, context.meter, context.workSignal),
    context.meter,
  );
  const lines = answerLines(init, run);
  if (streams(init)) return eventStreamResponse(jsonLines(lines));
  let last: OllamaLine | undefined;
  for await (const line of lines) last = line;
  return jsonResponse(last);
}

/**
 * Ollama's answer to a request with nothing to generate (no messages, an empty prompt): the
 * model is loaded (here it always is) and `done_reason` says so. No work, so nothing is billed.
 */
export function loadedAnswer(model: string, shape: OllamaGenerationInit['shape']): RouteResponse {
  const head = { model, created_at: new Date().toISOString() };
  const body =
    shape === 'chat' ? { ...head, message: { role: 'assistant', content: '' } } : { ...head, response: '' };
  return jsonResponse({ ...body, done: true, done_reason: 'load' });
}
