import type { ServerResponse } from 'node:http';
import { abortablePause } from './abortable-pause.js';
import { applyStreamFault, type StreamFaults, streamFaultAt } from './stream-faults.js';
import { eventFrame, type StreamFraming } from './stream-framing.js';
import type { UsageMeter } from './usage-meter.js';

export interface EventStreamOptions {
  /** Fires when the client disconnects; the writer then stops pulling events. */
  signal: AbortSignal;
  /** Counts the bytes written. Left out when the events were metered as they were recorded. */
  meter?: UsageMeter;
  /** The `id:` of the first event; later events count up from it (a resumed stream starts after the last seen id). */
  firstEventId?: number;
  /**
   * The `data` payload sent when the producer fails after the headers went out; undefined
   * cuts the connection instead (a stream that cannot continue exactly must not pretend to).
   */
  errorEvent(error: unknown): string | undefined;
  /** Faults to act out on this socket (`x-aiaas-fault` or chaos). */
  faults?: StreamFaults;
  /** Fires when the server closes: a stalled stream is then cut and a pause ends early. */
  closing?: AbortSignal;
  /** SSE (the default) or NDJSON, whose lines carry no id. */
  framing?: StreamFraming;
}

export interface EventStreamOutcome {
  eventsSent: number;
  /** The producer ran to its end and the response was ended normally. */
  completed: boolean;
  /** The producer threw. */
  failed: boolean;
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
 * Resolves when `frame` has left the response for its socket, or when the client is gone.
 * A response buffers chunks written within one tick (Node 24 keeps a corked chunked body in the
 * response itself and discards it once the socket is cut), so a cut must wait for this first.
 */
function writeThrough(response: ServerResponse, frame: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.on('close', done);
    signal.addEventListener('abort', done, { once: true });
    response.write(frame, done);
  });
}

/**
 * Writes server-sent events: `id: <n>` and `data: <payload>` per event, numbered upward so
 * a client can resume with `Last-Event-ID`. It waits for `drain` when the socket buffer is
 * full (a slow reader slows generation instead of growing memory), and when the client
 * disconnects it stops and calls `return()` on the producer, which aborts the generation.
 * Stream faults (drop, malformed line, stall, pauses) are acted out here, on the socket
 * only. This is the only place that writes SSE.
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
  const faults = options.faults ?? {};
  const framing = options.framing ?? 'sse';
  const pauseSignals = options.closing === undefined ? [signal] : [signal, options.closing];
  let nextId = options.firstEventId ?? 1;
  let eventsSent = 0;
  // A stream starting at 1 is at place 0 before its first event; a resumed one has no place of its own yet.
  let lastWrittenId: number | undefined = nextId === 1 ? 0 : undefined;
  const send = async (payload: string) => {
    const frame = eventFrame(framing, nextId, payload);
    lastWrittenId = nextId;
    nextId++;
    eventsSent++;
    meter?.addBytesOut(Buffer.byteLength(frame));
    // The event right before a cut must reach the socket before the cut does.
    if (faults.dropAfter === lastWrittenId) await writeThrough(response, frame, signal);
    else if (!response.write(frame)) await drained(response, signal);
  };

  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  let failed = false;
  // After a fault the socket is cut, ended or held on purpose: nothing more is written to it.
  let faulted = false;
  try {
    while (!signal.aborted) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      if (signal.aborted) break;
      // Checked with an event in hand: a fault due after the last event never fires on a finished stream.
      const fault = streamFaultAt(faults, lastWrittenId);
      if (fault !== undefined) {
        faulted = true;
        await applyStreamFault(fault, response, signal, options.closing, framing);
        break;
      }
      if (eventsSent > 0 && (faults.chunkDelayMs ?? 0) > 0) {
        await abortablePause(faults.chunkDelayMs, pauseSignals);
        if (signal.aborted) break;
      }
      await send(next.value);
    }
  } catch (error) {
    failed = true;
    // A producer that fails because the client left is not an error worth reporting to anyone.
    if (!signal.aborted) {
      const payload = options.errorEvent(error);
      if (payload === undefined) response.destroy();
      else await send(payload);
    }
  } finally {
    // Ending the producer early runs its `finally` blocks, which release the generation.
    if (!finished) await iterator.return?.().catch(() => undefined);
  }
  if (!faulted && !signal.aborted && !response.writableEnded && !response.destroyed) response.end();
  return {
    eventsSent,
    completed: finished && !signal.aborted,
    failed,
    disconnected: signal.aborted,
  };
}
