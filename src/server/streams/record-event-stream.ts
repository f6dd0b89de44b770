import type { StreamReplayBuffer } from './stream-replay-buffer.js';

/** A function, not a property read, so TypeScript does not assume the flag stays as it was checked. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export interface RecordEventStreamOptions {
  /** The id of the first event; later ones count up by one. Default: after the buffer's last id (1 when new). */
  firstEventId?: number;
  /** Stops pulling (and ends the producer) when aborted; the recording is then marked failed. */
  signal?: AbortSignal;
  /** The payload recorded as a last event when the producer throws, e.g. an OpenAI error chunk. */
  errorEvent?: (error: unknown) => string;
}

/** How a recording ended. */
export type RecordingOutcome = 'completed' | 'failed' | 'aborted';

/**
 * Pulls a route's events into a replay buffer, numbering them, until the producer ends. This
 * decouples the generation from the socket: the connection writes `buffer.follow(0)`, and when
 * it breaks (a client drop, a `drop_after` fault) the generation can run on into the buffer, so
 * a resume gets the rest with the same text and the generation is not paid for twice.
 *
 * @example
 * const buffer = replayStore.open(tenant, key);
 * void recordEventStream(buffer, route.events, { errorEvent: (error) => JSON.stringify(errorBody(error)) });
 * for await (const event of buffer.follow(0, { signal })) write(`id: ${event.id}\ndata: ${event.data}\n\n`);
 */
export async function recordEventStream(
  buffer: StreamReplayBuffer,
  events: AsyncIterable<string>,
  options: RecordEventStreamOptions = {},
): Promise<RecordingOutcome> {
  let nextId = options.firstEventId ?? buffer.lastEventId + 1;
  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (!isAborted(options.signal)) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      if (isAborted(options.signal)) break;
      buffer.append({ id: nextId++, data: next.value });
    }
  } catch (error) {
    if (options.errorEvent !== undefined && !isAborted(options.signal)) {
      buffer.append({ id: nextId++, data: options.errorEvent(error) });
    }
    buffer.fail();
    return 'failed';
  } finally {
    // Ending the producer early runs its `finally` blocks, which release the generation.
    if (!finished) await iterator.return?.().catch(() => undefined);
  }
  if (finished) {
    buffer.complete();
    return 'completed';
  }
  buffer.fail();
  return 'aborted';
}
