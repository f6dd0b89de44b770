import { HttpError } from '../http/http-error.js';
import type { BufferedStreamRouteResponse } from '../http/route-response.js';
import type { ReplayGap } from './replay-types.js';
import type { StreamReplayBuffer } from './stream-replay-buffer.js';

/**
 * The `Last-Event-ID` of a resume: undefined when absent, else a non-negative integer.
 * Anything else is a 400: a resume point the server cannot read must not replay wrong text.
 *
 * @example
 * lastEventIdOf('7'); // 7
 * lastEventIdOf(undefined); // undefined
 */
export function lastEventIdOf(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (!/^\d{1,15}$/.test(text)) {
    throw new HttpError(400, `Last-Event-ID must be the id of an event of this stream, got '${text}'.`, {
      param: 'last-event-id',
      code: 'invalid_last_event_id',
    });
  }
  return Number(text);
}

/**
 * 410: the events to resume from are gone (evicted to bound memory, or the whole recording forgotten).
 *
 * @example
 * throw streamNotResumable('the recording of this stream is no longer held');
 */
export function streamNotResumable(detail: string): HttpError {
  return new HttpError(
    410,
    `Cannot resume the stream: ${detail}. Start the call again with a new Idempotency-Key.`,
    { param: 'last-event-id', code: 'stream_not_resumable' },
  );
}

function gapError(gap: ReplayGap): HttpError {
  if (gap.reason === 'ahead') {
    return new HttpError(
      409,
      `Cannot resume the stream: event ${gap.requestedAfterId} was never sent; the last event so far is ${gap.lastEventId}.`,
      { param: 'last-event-id', code: 'invalid_last_event_id' },
    );
  }
  return streamNotResumable(
    `the events after ${gap.requestedAfterId} are no longer held (the oldest held is ${gap.firstAvailableId ?? 'none'})`,
  );
}

/**
 * The answer to a repeated streaming call: the recorded events after `lastEventId` (all of
 * them without one), then the live rest while the generation still runs. A resume point
 * past the buffer's reach is a 410 (`stream_not_resumable`), one never sent a 409
 * (`invalid_last_event_id`): never a stream with a hole in it.
 *
 * @example
 * return resumeStream(replays.get(tenant, key), 7, { 'idempotent-replayed': 'true' });
 */
export function resumeStream(
  buffer: StreamReplayBuffer | undefined,
  lastEventId: number | undefined,
  headers: Readonly<Record<string, string>>,
): BufferedStreamRouteResponse {
  if (buffer === undefined) throw streamNotResumable('the recording of this stream is no longer held');
  const afterEventId = lastEventId ?? 0;
  const found = buffer.eventsAfter(afterEventId);
  if (found.kind === 'gap') throw gapError(found);
  return { kind: 'buffered-stream', buffer, afterEventId, headers };
}
