import type { ChatEventSource } from '../streaming/chat-event-reader.js';
import type { ChatStreamEvent } from '../streaming/chat-stream-events.js';
import type { StreamAccumulator } from '../streaming/stream-accumulator.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';
import type { StreamCostRecorder } from './stream-cost-recorder.js';

/**
 * A stream's events as the client hands them on: first the event read while the stream was
 * opened (inside the retry loop), then the rest; the stream's ending, whichever it is, is
 * recorded by the cost recorder before it reaches the consumer, so `final()` already has the cost.
 */
export class MeteredEventSource implements ChatEventSource {
  readonly #inner: ChatEventSource;
  readonly #recorder: StreamCostRecorder;
  readonly #logger: SdkLogger;
  #first: { event: ChatStreamEvent | undefined } | undefined;

  constructor(
    inner: ChatEventSource,
    first: ChatStreamEvent | undefined,
    recorder: StreamCostRecorder,
    logger: SdkLogger,
  ) {
    this.#inner = inner;
    this.#first = { event: first };
    this.#recorder = recorder;
    this.#logger = logger;
  }

  get accumulator(): StreamAccumulator {
    return this.#inner.accumulator;
  }

  get resumed(): number {
    return this.#inner.resumed;
  }

  get lastEventId(): string | undefined {
    return this.#inner.lastEventId;
  }

  async next(): Promise<ChatStreamEvent | undefined> {
    let event: ChatStreamEvent | undefined;
    if (this.#first !== undefined) {
      event = this.#first.event;
      this.#first = undefined;
    } else {
      try {
        event = await this.#inner.next();
      } catch (error) {
        // The stream's own error is what the consumer must see, even if recording it fails.
        await this.#recorder.failed(error).catch((recordError: unknown) => this.#logFailure(recordError));
        throw error;
      }
    }
    if (event === undefined) await this.#recorder.completed();
    return event;
  }

  takeReady(): ChatStreamEvent | undefined {
    // The first event (and the end, which the recorder must see) go through next().
    return this.#first === undefined ? this.#inner.takeReady() : undefined;
  }

  close(): void {
    this.#inner.close();
    void this.#recorder.abandoned().catch((error: unknown) => this.#logFailure(error));
  }

  #logFailure(error: unknown): void {
    this.#logger.error('Recording the cost of a stream failed', errorFields(error));
  }
}
