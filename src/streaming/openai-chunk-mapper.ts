import type { z } from 'zod';
import { StreamError, ValidationError } from '../errors/index.js';
import { isCommonChatChunk } from '../wire/openai/chat-chunk-check.js';
import { type ChatCompletionChunk, chatCompletionChunkSchema } from '../wire/openai/chat-schemas.js';
import { type CompletionChunk, completionChunkSchema } from '../wire/openai/completion-schemas.js';
import { parseWire } from '../wire/validate-wire.js';
import type { ChatStreamEvent, ToolCallDeltaEvent } from './chat-stream-events.js';
import { apiErrorFromStreamPayload } from './in-band-error.js';
import { snippetOf } from './ndjson-decoder.js';
import type { ServerSentItem } from './sse-decoder.js';
import type { EventMapper } from './stream-dialect.js';

type ServerSentMessage = Extract<ServerSentItem, { kind: 'message' }>;

/**
 * Maps OpenAI-compatible SSE messages (chat and text completion chunks) to typed events.
 * Each chunk is validated against its schema; `data: [DONE]` ends the stream; `event: error`
 * or a data object with `error` becomes an `APIError`; other named events are ignored.
 *
 * @example
 * const mapper = new OpenAIChunkMapper('req_1');
 * mapper.map({ kind: 'message', id: '1', event: undefined, data: chunkJson }); // [{ type: 'text-delta', ... }]
 */
export class OpenAIChunkMapper implements EventMapper<ServerSentItem> {
  readonly #requestId: string | undefined;
  #terminal = false;
  #messageNumber = 0;
  #metadataSent = false;

  constructor(requestId?: string) {
    this.#requestId = requestId;
  }

  get terminal(): boolean {
    return this.#terminal;
  }

  map(item: ServerSentItem): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    this.mapInto(item, events);
    return events;
  }

  mapInto(item: ServerSentItem, events: ChatStreamEvent[]): void {
    if (item.kind !== 'message' || this.#terminal) return;
    // Named events other than `error` are a proxy's keep-alives (`event: ping`), not chunks.
    const { event } = item;
    if (event !== undefined && event !== 'message' && event !== 'error') return;
    this.#messageNumber += 1;
    // A chunk is never this short, so only short data is trimmed (a copy per event otherwise).
    if (item.data.length < 32 && item.data.trim() === '[DONE]') {
      this.#terminal = true;
      return;
    }
    const value = this.#parseJson(item);
    // One pass over the common chunk: the hand check also says whether it holds an in-band error.
    if (event !== 'error' && isCommonChatChunk(value)) {
      this.#mapChat(value, events);
      return;
    }
    if (event === 'error' || (typeof value === 'object' && value !== null && 'error' in value)) {
      throw apiErrorFromStreamPayload(value, this.#requestId);
    }
    const isTextCompletion =
      typeof value === 'object' &&
      value !== null &&
      (value as { object?: unknown }).object === 'text_completion';
    if (isTextCompletion)
      this.#mapCompletion(
        this.#validate(completionChunkSchema, value, item, 'text completion chunk'),
        events,
      );
    else
      this.#mapChat(this.#validate(chatCompletionChunkSchema, value, item, 'chat completion chunk'), events);
  }

  #describe(item: ServerSentMessage): string {
    return `SSE event #${this.#messageNumber}${item.id === undefined ? '' : ` (id ${item.id})`}`;
  }

  #parseJson(item: ServerSentMessage): unknown {
    try {
      return JSON.parse(item.data);
    } catch (error) {
      // An `event: error` may carry plain text rather than JSON; that is still the provider's message.
      if (item.event === 'error') return item.data;
      throw new StreamError(
        `${this.#describe(item)} has data that is not valid JSON: ${snippetOf(item.data)}`,
        {
          code: 'invalid_json',
          cause: error,
          requestId: this.#requestId,
        },
      );
    }
  }

  #validate<Schema extends z.ZodType>(
    schema: Schema,
    value: unknown,
    item: ServerSentMessage,
    what: string,
  ): z.output<Schema> {
    try {
      return parseWire(schema, value, { subject: 'response', what, requestId: this.#requestId });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new StreamError(`${this.#describe(item)}: ${error.message}`, {
        code: 'invalid_chunk',
        cause: error,
        requestId: this.#requestId,
      });
    }
  }

  #metadata(chunk: { id: string; model: string }, events: ChatStreamEvent[]): void {
    if (this.#metadataSent) return;
    this.#metadataSent = true;
    events.push({ type: 'response-metadata', responseId: chunk.id, model: chunk.model });
  }

  #addUsage(chunk: ChatCompletionChunk | CompletionChunk, events: ChatStreamEvent[]): void {
    if (chunk.usage === undefined || chunk.usage === null) return;
    events.push({ type: 'usage', usage: { tokens: chunk.usage, provenance: 'reported', raw: chunk.usage } });
  }

  #mapChat(chunk: ChatCompletionChunk, events: ChatStreamEvent[]): void {
    this.#metadata(chunk, events);
    const { choices } = chunk;
    for (let position = 0; position < choices.length; position += 1) {
      const choice = choices[position] as ChatCompletionChunk['choices'][number];
      const choiceIndex = choice.index;
      const { content, tool_calls: toolCalls } = choice.delta;
      if (typeof content === 'string' && content !== '')
        events.push({ type: 'text-delta', choiceIndex, text: content });
      if (toolCalls !== undefined)
        for (const call of toolCalls) {
          const event: ToolCallDeltaEvent = {
            type: 'tool-call-delta',
            choiceIndex,
            toolCallIndex: call.index,
            argumentsDelta: call.function?.arguments ?? '',
          };
          if (call.id !== undefined) event.id = call.id;
          if (call.function?.name !== undefined) event.name = call.function.name;
          events.push(event);
        }
      if (typeof choice.finish_reason === 'string') {
        events.push({ type: 'finish', choiceIndex, finishReason: choice.finish_reason });
      }
    }
    this.#addUsage(chunk, events);
  }

  #mapCompletion(chunk: CompletionChunk, events: ChatStreamEvent[]): void {
    this.#metadata(chunk, events);
    for (const choice of chunk.choices) {
      if (choice.text !== '')
        events.push({ type: 'text-delta', choiceIndex: choice.index, text: choice.text });
      if (typeof choice.finish_reason === 'string') {
        events.push({ type: 'finish', choiceIndex: choice.index, finishReason: choice.finish_reason });
      }
    }
    this.#addUsage(chunk, events);
  }
}
