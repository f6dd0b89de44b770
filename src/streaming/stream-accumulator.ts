import type { ToolCall } from '../wire/openai/chat-schemas.js';
import type { ChatStreamEvent, StreamUsage } from './chat-stream-events.js';

/** One choice of a finished stream, shaped like a non-streamed chat completion's choice. */
export interface FinalChoice {
  index: number;
  message: { role: 'assistant'; content: string; tool_calls?: ToolCall[] };
  /** Null only when the stream ended with `[DONE]` but this choice never said why it stopped. */
  finishReason: string | null;
}

const MAX_PARTIAL_CHOICES = 1024;

interface ToolCallParts {
  id: string | undefined;
  name: string | undefined;
  arguments: string[];
}

interface ChoiceParts {
  text: string[];
  toolCalls: Map<number, ToolCallParts>;
  finishReason: string | null;
}

/**
 * Builds whole messages from stream events: text per choice, tool calls with their argument
 * fragments joined, finish reasons, usage and response metadata.
 *
 * @example
 * const accumulator = new StreamAccumulator();
 * for await (const event of stream) accumulator.add(event);
 * accumulator.choices(); // [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finishReason: 'stop' }]
 */
export class StreamAccumulator {
  readonly #choices = new Map<number, ChoiceParts>();
  // The choice the last event was for: nearly every event is for the same one as the one before.
  #lastChoiceIndex = -1;
  #lastChoice: ChoiceParts | undefined;
  #usage: StreamUsage | undefined;
  #model: string | undefined;
  #responseId: string | undefined;

  add(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'text-delta':
        this.#choice(event.choiceIndex).text.push(event.text);
        return;
      case 'response-metadata':
        this.#model ??= event.model;
        this.#responseId ??= event.responseId;
        return;
      case 'tool-call-delta': {
        const calls = this.#choice(event.choiceIndex).toolCalls;
        const call = calls.get(event.toolCallIndex) ?? { id: undefined, name: undefined, arguments: [] };
        calls.set(event.toolCallIndex, call);
        // Providers send id and name with the first fragment; some repeat them on every
        // fragment, so the first one wins instead of being concatenated.
        if (event.id !== undefined && event.id !== '') call.id ??= event.id;
        if (event.name !== undefined && event.name !== '') call.name ??= event.name;
        call.arguments.push(event.argumentsDelta);
        return;
      }
      case 'finish':
        this.#choice(event.choiceIndex).finishReason = event.finishReason;
        return;
      case 'usage':
        this.#usage = event.usage;
        return;
      case 'error':
        return;
    }
  }

  /** Usage the provider reported (or an estimate already added), if any. */
  get usage(): StreamUsage | undefined {
    return this.#usage;
  }

  get model(): string | undefined {
    return this.#model;
  }

  get responseId(): string | undefined {
    return this.#responseId;
  }

  /** True when at least one choice was seen and every choice seen has a finish reason. */
  allChoicesFinished(): boolean {
    if (this.#choices.size === 0) return false;
    for (const choice of this.#choices.values()) if (choice.finishReason === null) return false;
    return true;
  }

  /** Text so far, by choice index (an empty array when no choice was seen). */
  partialText(): string[] {
    // Dense by index, but bounded: a hostile choice index must not allocate a huge array.
    const highest = this.#choices.size === 0 ? -1 : Math.max(...this.#choices.keys());
    const size = Math.min(highest + 1, MAX_PARTIAL_CHOICES);
    return Array.from({ length: size }, (_, index) => this.#choices.get(index)?.text.join('') ?? '');
  }

  /** All generated text, tool call names and arguments included: what output tokens are counted from. */
  outputTexts(): string[] {
    const texts: string[] = [];
    for (const choice of this.#choices.values()) {
      texts.push(choice.text.join(''));
      for (const call of choice.toolCalls.values())
        texts.push(`${call.name ?? ''}${call.arguments.join('')}`);
    }
    return texts;
  }

  /** The messages so far, in choice order. */
  choices(): FinalChoice[] {
    return [...this.#choices.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, choice]) => {
        const message: FinalChoice['message'] = { role: 'assistant', content: choice.text.join('') };
        if (choice.toolCalls.size > 0) message.tool_calls = toolCallsOf(index, choice.toolCalls);
        return { index, message, finishReason: choice.finishReason };
      });
  }

  #choice(index: number): ChoiceParts {
    if (index === this.#lastChoiceIndex) return this.#lastChoice as ChoiceParts;
    let choice = this.#choices.get(index);
    if (choice === undefined) {
      choice = { text: [], toolCalls: new Map(), finishReason: null };
      this.#choices.set(index, choice);
    }
    this.#lastChoiceIndex = index;
    this.#lastChoice = choice;
    return choice;
  }
}

function toolCallsOf(choiceIndex: number, calls: Map<number, ToolCallParts>): ToolCall[] {
  return [...calls.entries()]
    .sort(([left], [right]) => left - right)
    .map(([toolCallIndex, call]) => ({
      // Ollama sends no ids; a stable made-up one keeps the OpenAI shape, where `tool` replies need one.
      id: call.id ?? `call_${choiceIndex}_${toolCallIndex}`,
      type: 'function' as const,
      function: { name: call.name ?? '', arguments: call.arguments.join('') },
    }));
}
