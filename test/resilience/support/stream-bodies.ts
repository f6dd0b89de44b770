import { AiaasError } from '../../../src/errors/index.js';
import {
  type ChatStreamEvent,
  type ChatStreamOptions,
  createChatStream,
} from '../../../src/streaming/index.js';

/** Cuts `data` at the given offsets (any order, repeats allowed) into consecutive chunks. */
export function splitAt(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.map((offset) => offset % (data.length + 1)))].sort(
    (left, right) => left - right,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    chunks.push(data.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

/** A body that yields `chunks`, then throws `failure` (whatever it is) when one is given. */
export async function* bodyOf(
  chunks: readonly Uint8Array[],
  failure?: { thrown: unknown },
): AsyncGenerator<Uint8Array> {
  yield* chunks;
  if (failure !== undefined) throw failure.thrown;
}

/** How reading a whole stream ended: its events and final result, or the error after some events. */
export interface StreamReading {
  events: ChatStreamEvent[];
  final?: Awaited<ReturnType<ReturnType<typeof createChatStream>['final']>>;
  error?: unknown;
}

/**
 * Reads a stream to its end through `createChatStream`, the way a user does (`for await`, then
 * `final()`), and never throws: the outcome says what happened, so properties can judge it.
 */
export async function readStream(
  body: AsyncIterable<Uint8Array>,
  format: 'sse' | 'ndjson',
  options: ChatStreamOptions = {},
): Promise<StreamReading> {
  const stream = createChatStream(
    { body, format, requestId: 'req_fuzz' },
    { estimateTokens: (text) => text.length, ...options },
  );
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, final: await stream.final() };
  } catch (error) {
    return { events, error };
  }
}

/** Throws unless the reading ended in typed events and, if it failed, a typed aiaas error. */
export function expectTypedReading(reading: StreamReading): void {
  for (const event of reading.events) {
    if (typeof event.type !== 'string') throw new Error(`an event without a type: ${JSON.stringify(event)}`);
    if (event.type === 'text-delta' && typeof event.text !== 'string')
      throw new Error('a text delta without text');
  }
  if (reading.error !== undefined && !AiaasError.isInstance(reading.error)) {
    throw new Error(`an untyped error escaped: ${String(reading.error)}`, { cause: reading.error });
  }
}

/** The text of the first choice, as a user's `for await` would have shown it. */
export function textOf(events: readonly ChatStreamEvent[], choiceIndex = 0): string {
  return events
    .map((event) => (event.type === 'text-delta' && event.choiceIndex === choiceIndex ? event.text : ''))
    .join('');
}
