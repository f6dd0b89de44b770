import type { AiaasError } from '../errors/index.js';
import type { OpenAIUsage } from '../wire/openai/openai-common.js';

/** `reported`: the provider sent the counts. `estimated`: counted locally from what was received. */
export type UsageProvenance = 'reported' | 'estimated';

/**
 * Token usage of a stream. `tokens` is in OpenAI's shape whatever the provider (the cost
 * layer turns it into buckets); `raw` keeps the provider's own usage object untouched.
 */
export interface StreamUsage {
  tokens: OpenAIUsage;
  provenance: UsageProvenance;
  /** The provider's usage as sent (e.g. Ollama's counters); undefined when estimated. */
  raw: unknown;
}

/** Sent once, from the first chunk that names them: which response and which model answered. */
export interface ResponseMetadataEvent {
  type: 'response-metadata';
  responseId?: string;
  model?: string;
}

/** A piece of a choice's text, in order. */
export interface TextDeltaEvent {
  type: 'text-delta';
  choiceIndex: number;
  text: string;
}

/**
 * A piece of a tool call. `id` and `name` usually come with the first piece only; the
 * arguments arrive as JSON text in fragments that concatenate, in order, to the whole.
 */
export interface ToolCallDeltaEvent {
  type: 'tool-call-delta';
  choiceIndex: number;
  toolCallIndex: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

/** A choice is complete; `finishReason` is the provider's (`stop`, `length`, `tool_calls`, ...). */
export interface FinishEvent {
  type: 'finish';
  choiceIndex: number;
  finishReason: string;
}

/** Usage for the whole stream: sent by the provider, or estimated at the end when it was not. */
export interface UsageEvent {
  type: 'usage';
  usage: StreamUsage;
}

/**
 * A failure, as the last event of {@link ChatStream.toReadableStream}. Iterating the stream
 * directly throws instead, the ordinary way for `for await`.
 */
export interface ErrorEvent {
  type: 'error';
  error: AiaasError;
}

/**
 * Everything a chat or text completion stream can say, whatever the provider.
 *
 * @example
 * for await (const event of stream) {
 *   if (event.type === 'text-delta') process.stdout.write(event.text);
 *   if (event.type === 'usage') console.log(event.usage.tokens.total_tokens, event.usage.provenance);
 * }
 */
export type ChatStreamEvent =
  | ResponseMetadataEvent
  | TextDeltaEvent
  | ToolCallDeltaEvent
  | FinishEvent
  | UsageEvent
  | ErrorEvent;
