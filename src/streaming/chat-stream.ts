import { AbortError, AiaasError } from '../errors/index.js';
import type { ChatEventSource } from './chat-event-reader.js';
import type { ChatStreamEvent, StreamUsage } from './chat-stream-events.js';
import { ChatStreamIterator } from './chat-stream-iterator.js';
import type { FinalChoice } from './stream-accumulator.js';

/** Everything a finished stream said, put together. */
export interface ChatStreamFinal {
  choices: FinalChoice[];
  /** Always present: reported by the provider, or `estimated` from what was received. */
  usage: StreamUsage;
  requestId: string | undefined;
  model: string | undefined;
  responseId: string | undefined;
  /** How many times the stream reconnected to get here. */
  resumed: number;
  /** Set by the cost layer once it prices the call. */
  cost?: unknown;
}

interface Settle {
  resolve: (final: ChatStreamFinal) => void;
  reject: (error: unknown) => void;
}

/**
 * A streamed chat (or text) completion: an `AsyncIterable` of typed events, read once,
 * pulled from the network only as fast as it is consumed. `break` (or `abort()`) closes the
 * connection at once. Create one with `createChatStream`.
 *
 * @example
 * const stream = await client.chat.completions.stream(params);
 * for await (const text of stream.text()) process.stdout.write(text);
 * const { choices, usage } = await stream.final();
 */
export class ChatStream implements AsyncIterable<ChatStreamEvent> {
  readonly requestId: string | undefined;
  readonly #source: ChatEventSource;
  readonly #controller: AbortController;
  #consumer: string | undefined;
  readonly #settle: Settle;
  readonly #completion: Promise<ChatStreamFinal>;

  /** @param controller aborting it aborts the stream (the signal the source was built with). */
  constructor(source: ChatEventSource, controller: AbortController, requestId: string | undefined) {
    this.#source = source;
    this.#controller = controller;
    this.requestId = requestId;
    let settle: Settle | undefined;
    this.#completion = new Promise<ChatStreamFinal>((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.#settle = settle as Settle;
    // A failure nobody asked `final()` about is still reported by the iteration itself;
    // it must not also surface as an unhandled rejection.
    this.#completion.catch(() => undefined);
  }

  /** How many times the stream reconnected after a break. */
  get resumed(): number {
    return this.#source.resumed;
  }

  /** The id of the last SSE event received. */
  get lastEventId(): string | undefined {
    return this.#source.lastEventId;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatStreamEvent> {
    return this.#claim('for await');
  }

  /**
   * Only the text of one choice, as it arrives. Consumes the stream.
   *
   * @example
   * for await (const text of stream.text()) process.stdout.write(text);
   */
  text(choiceIndex = 0): AsyncIterable<string> {
    const events = this.#claim('text()');
    return (async function* textOnly() {
      for await (const event of events) {
        if (event.type === 'text-delta' && event.choiceIndex === choiceIndex) yield event.text;
      }
    })();
  }

  /**
   * The whole result once the stream ends: every choice's message and finish reason, and
   * usage. Reads the stream itself when nobody else does; after (or during) a `for await`,
   * it waits for that loop's stream to end. Rejects with the stream's error.
   *
   * @example
   * const { choices, usage } = await stream.final();
   * console.log(choices[0]?.message.content, usage.tokens.total_tokens, usage.provenance);
   */
  final(): Promise<ChatStreamFinal> {
    if (this.#consumer === undefined) {
      const events = this.#claim('final()');
      void (async () => {
        for await (const _event of events);
      })().catch(() => undefined);
    }
    return this.#completion;
  }

  /**
   * The events as a web `ReadableStream`, pulled only when its reader asks. A failure
   * arrives as a last `{ type: 'error' }` event rather than an errored stream, so it
   * survives being piped elsewhere (a browser, a worker).
   *
   * @example
   * const reader = stream.toReadableStream().getReader();
   * for (let next = await reader.read(); !next.done; next = await reader.read()) render(next.value);
   */
  toReadableStream(): ReadableStream<ChatStreamEvent> {
    const events = this.#claim('toReadableStream()');
    return new ReadableStream<ChatStreamEvent>(
      {
        async pull(controller) {
          try {
            const result = await events.next();
            if (result.done) controller.close();
            else controller.enqueue(result.value);
          } catch (error) {
            const typed = AiaasError.isInstance(error)
              ? error
              : new AiaasError(String(error), { cause: error });
            controller.enqueue({ type: 'error', error: typed });
            controller.close();
          }
        },
        async cancel() {
          await events.return();
        },
      },
      // No read-ahead: the network is read only when the consumer pulls.
      { highWaterMark: 0 },
    );
  }

  /** Stops the stream and closes its connection; a pending or later read throws `AbortError`. */
  abort(reason?: string): void {
    this.#controller.abort(new AbortError(reason ?? 'The stream was aborted.'));
  }

  #claim(consumer: string): ChatStreamIterator {
    if (this.#consumer !== undefined) {
      throw new AiaasError(
        `This stream is already being read (by ${this.#consumer}); a stream can be read once. ` +
          'Call .final() after (or instead of) reading it to get the whole result.',
        { code: 'stream_already_consumed' },
      );
    }
    this.#consumer = consumer;
    return new ChatStreamIterator(this.#source, {
      completed: () => this.#settle.resolve(this.#final()),
      failed: (error) => this.#settle.reject(error),
    });
  }

  #final(): ChatStreamFinal {
    const accumulator = this.#source.accumulator;
    return {
      choices: accumulator.choices(),
      // The reader adds estimated usage before it reports the end, so this is always set.
      usage: accumulator.usage as StreamUsage,
      requestId: this.requestId,
      model: accumulator.model,
      responseId: accumulator.responseId,
      resumed: this.#source.resumed,
    };
  }
}
