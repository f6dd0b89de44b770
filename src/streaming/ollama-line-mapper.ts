import type { z } from 'zod';
import { StreamError, ValidationError } from '../errors/index.js';
import { ollamaChatStreamLineSchema, ollamaGenerateStreamLineSchema } from '../wire/ollama/index.js';
import type { OpenAIUsage } from '../wire/openai/openai-common.js';
import { parseWire } from '../wire/validate-wire.js';
import type { ChatStreamEvent, ToolCallDeltaEvent } from './chat-stream-events.js';
import { apiErrorFromStreamPayload } from './in-band-error.js';
import type { JsonLine } from './ndjson-decoder.js';
import type { EventMapper } from './stream-dialect.js';

const USAGE_FIELDS = [
  'prompt_eval_count',
  'eval_count',
  'total_duration',
  'load_duration',
  'prompt_eval_duration',
  'eval_duration',
  // aiaas/server's compute billed: the usage then carries it, as its OpenAI usage does.
  'compute_ms',
] as const;

type UsageCounters = { [Field in (typeof USAGE_FIELDS)[number]]?: number | undefined };

/** What the last line (`done: true`) says, in both `/api/chat` and `/api/generate`. */
type FinalLine = UsageCounters & { done: boolean; done_reason?: string | undefined };

/**
 * Maps Ollama NDJSON lines (`/api/chat` and `/api/generate`) to typed events. Ollama has one
 * choice; its last line (`done: true`) carries the finish reason and the token counters,
 * which become a `usage` event in OpenAI's shape (`prompt_eval_count` -> `prompt_tokens`,
 * `eval_count` -> `completion_tokens`) with the counters kept as `raw`.
 *
 * @example
 * const mapper = new OllamaLineMapper();
 * mapper.map({ lineNumber: 1, value: { model: 'm', created_at: '...', response: 'Hi', done: false } });
 */
export class OllamaLineMapper implements EventMapper<JsonLine> {
  readonly #requestId: string | undefined;
  #terminal = false;
  #metadataSent = false;
  #toolCallCount = 0;

  constructor(requestId?: string) {
    this.#requestId = requestId;
  }

  get terminal(): boolean {
    return this.#terminal;
  }

  map(line: JsonLine): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    this.mapInto(line, events);
    return events;
  }

  mapInto(line: JsonLine, events: ChatStreamEvent[]): void {
    if (this.#terminal) return;
    const value = line.value;
    const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    if ('error' in record) throw apiErrorFromStreamPayload(value, this.#requestId);
    const isGenerate = 'response' in record && !('message' in record);
    let final: FinalLine;
    if (isGenerate) {
      const parsed = this.#validate(ollamaGenerateStreamLineSchema, line, 'Ollama generate stream line');
      this.#metadata(events, parsed.model);
      if (parsed.response !== '') events.push({ type: 'text-delta', choiceIndex: 0, text: parsed.response });
      final = parsed;
    } else {
      const parsed = this.#validate(ollamaChatStreamLineSchema, line, 'Ollama chat stream line');
      this.#metadata(events, parsed.model);
      const { content, tool_calls: toolCalls } = parsed.message;
      if (content !== '') events.push({ type: 'text-delta', choiceIndex: 0, text: content });
      for (const call of toolCalls ?? []) {
        // Ollama sends each tool call whole, with arguments as an object: one delta carries it all.
        const event: ToolCallDeltaEvent = {
          type: 'tool-call-delta',
          choiceIndex: 0,
          toolCallIndex: this.#toolCallCount++,
          name: call.function.name,
          argumentsDelta: JSON.stringify(call.function.arguments),
        };
        events.push(event);
      }
      final = parsed;
    }
    if (final.done) {
      this.#terminal = true;
      events.push({ type: 'finish', choiceIndex: 0, finishReason: final.done_reason ?? 'stop' });
      events.push({
        type: 'usage',
        usage: { tokens: usageOf(final), provenance: 'reported', raw: countersOf(final) },
      });
    }
  }

  #metadata(events: ChatStreamEvent[], model: string): void {
    if (this.#metadataSent) return;
    this.#metadataSent = true;
    events.push({ type: 'response-metadata', model });
  }

  #validate<Schema extends z.ZodType>(schema: Schema, line: JsonLine, what: string): z.output<Schema> {
    try {
      return parseWire(schema, line.value, { subject: 'response', what, requestId: this.#requestId });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new StreamError(`Line ${line.lineNumber} of the NDJSON stream: ${error.message}`, {
        code: 'invalid_chunk',
        cause: error,
        requestId: this.#requestId,
      });
    }
  }
}

function countersOf(line: UsageCounters): UsageCounters {
  const counters: UsageCounters = {};
  for (const field of USAGE_FIELDS) {
    const value = line[field];
    if (value !== undefined) counters[field] = value;
  }
  return counters;
}

function usageOf(line: UsageCounters): OpenAIUsage {
  const promptTokens = line.prompt_eval_count ?? 0;
  const completionTokens = line.eval_count ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...(line.compute_ms === undefined ? {} : { compute_ms: line.compute_ms }),
  };
}
