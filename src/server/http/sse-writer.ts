import type { ServerResponse } from 'node:http';
import type { UsageMeter } from './usage-meter.js';

export interface EventStreamOptions {
  /** Fires when the client disconnects; the writer then stops pulling events. */
  signal: AbortSignal;
  meter: UsageMeter;
  /** The `id:` of the first event; later events count up from it (a resumed stream starts after the last seen id). */
  firstEventId?: number;
  /** The `data` payload sent when the producer fails after the headers went out. */
  errorEvent(error: unknown): string;
}

export interface EventStreamOutcome {
  eventsSent: number;
  /** The producer ran to its end and the response was ended normally. */
  completed: boolean;
  disconnected: boolean;
}

/** Resolves when the socket can take more data again, or when the client is gone (even if it already is). */
function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Writes server-sent events: `id: <n>` and `data: <payload>` per event, numbered upward so
 * a client can resume with `Last-Event-ID`. It waits for `drain` when the socket buffer is
 * full (a slow reader slows generation instead of growing memory), and when the client
 * disconnects it stops and calls `return()` on the producer, which aborts the generation.
 * This is the only place that writes SSE.
 *
 * @example
 * response.writeHead(200, { 'content-type': 'text/event-stream' });
 * await writeEventStream(response, events, { signal, meter, errorEvent: (error) => JSON.stringify({ error }) });
 */
export async function writeEventStream(
  response: ServerResponse,
  events: AsyncIterable<string>,
  options: EventStreamOptions,
): Promise<EventStreamOutcome> {
  const { signal, meter } = options;
  let nextId = options.firstEventId ?? 1;
  let eventsSent = 0;
  const send = async (payload: string) => {
    const frame = `id: ${nextId}\ndata: ${payload}\n\n`;
    nextId++;
    eventsSent++;
    meter.addResponseBytes(Buffer.byteLength(frame));
    if (!response.write(frame)) await drained(response, signal);
  };

  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (!signal.aborted) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      if (signal.aborted) break;
      await send(next.value);
    }
  } catch (error) {
    // A producer that fails because the client left is not an error worth reporting to anyone.
    if (!signal.aborted) await send(options.errorEvent(error));
  } finally {
    // Ending the producer early runs its `finally` blocks, which release the generation.
    if (!finished) await iterator.return?.().catch(() => undefined);
  }
  if (!signal.aborted && !response.writableEnded) response.end();
  return { eventsSent, completed: finished && !signal.aborted, disconnected: signal.aborted };
}
