import type { ServerResponse } from 'node:http';
import { abortablePause } from './abortable-pause.js';
import { malformedFrame, type StreamFraming } from './stream-framing.js';

/**
 * Faults that act on the events written to one socket, never on what is generated or
 * recorded: a generation that is recorded for resumption runs on as if nothing happened,
 * so a resume gets exactly the events the faulted socket did not.
 *
 * A count `n` names a place in the stream: right after the event with id `n` (0: before the
 * first). A fault fires on the socket that wrote that event, so a resume from `Last-Event-ID: n`
 * or later has passed it and goes through, while one from before it meets it again.
 */
export interface StreamFaults {
  /** Cut the connection right after event `dropAfter`. */
  dropAfter?: number;
  /** Send one line that is not valid event data right after event `malformedAfter`, then end the response. */
  malformedAfter?: number;
  /** Stop sending right after event `stallAfter`, keeping the connection open. */
  stallAfter?: number;
  /** Pause between two events. */
  chunkDelayMs?: number;
}

export type StreamFaultKind = 'drop' | 'malformed' | 'stall';

/**
 * The fault due right after event `lastWrittenId` (0 at the start of a stream), if any;
 * undefined `lastWrittenId` (a resumed socket that has written nothing yet) never has one.
 *
 * @example
 * streamFaultAt({ dropAfter: 3 }, 3); // 'drop'
 * streamFaultAt({ dropAfter: 3 }, undefined); // undefined: this socket has not reached a place yet
 */
export function streamFaultAt(
  faults: StreamFaults,
  lastWrittenId: number | undefined,
): StreamFaultKind | undefined {
  if (lastWrittenId === undefined) return undefined;
  if (faults.dropAfter === lastWrittenId) return 'drop';
  if (faults.malformedAfter === lastWrittenId) return 'malformed';
  if (faults.stallAfter === lastWrittenId) return 'stall';
  return undefined;
}

/**
 * Carries out a stream fault on the socket. A stall holds the connection until the client
 * leaves or the server closes; on close it cuts the connection, so `close()` never waits on
 * a stalled stream.
 *
 * @example
 * const fault = streamFaultAt(faults, lastWrittenId);
 * if (fault !== undefined) await applyStreamFault(fault, response, signal, closing);
 */
export async function applyStreamFault(
  kind: StreamFaultKind,
  response: ServerResponse,
  signal: AbortSignal,
  closing: AbortSignal | undefined,
  framing: StreamFraming = 'sse',
): Promise<void> {
  if (kind === 'drop') {
    // Mid-body, after the events already handed to the socket reach the wire (a plain destroy could discard them).
    if (response.socket) response.socket.destroySoon();
    else response.destroy();
    return;
  }
  if (kind === 'malformed') {
    response.end(malformedFrame(framing));
    return;
  }
  await abortablePause(undefined, closing === undefined ? [signal] : [signal, closing]);
  if (!signal.aborted) response.destroy();
}
