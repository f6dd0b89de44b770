import { type ReplayEvent, ReplayGapError } from './replay-types.js';
import type { StreamReplayBuffer } from './stream-replay-buffer.js';

/** A function, not a property read, so TypeScript does not assume the flag stays as it was checked. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Resolves on the buffer's next event or end, or when `signal` aborts. */
function nextChange(buffer: StreamReplayBuffer, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const done = () => {
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // Subscribing at the newest id delivers nothing now and cannot be a gap.
    unsubscribe = buffer.subscribe(buffer.lastEventId, { onEvent: done, onEnd: done });
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads the buffer itself as the queue: the reader keeps only its position, so a slow reader
 * costs no memory, and one that falls further behind than the buffer holds gets a
 * {@link ReplayGapError} instead of a stream with a hole in it.
 */
export async function* followReplay(
  buffer: StreamReplayBuffer,
  afterId: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<ReplayEvent, void, undefined> {
  let position = afterId;
  while (!isAborted(signal)) {
    const result = buffer.eventsAfter(position);
    if (result.kind === 'gap') {
      const behind =
        position === afterId ? undefined : `the reader fell behind the buffer after event ${position}`;
      throw new ReplayGapError(result, behind);
    }
    for (const event of result.events) {
      if (isAborted(signal)) return;
      yield event;
      position = event.id;
    }
    if (result.events.length > 0) continue;
    if (result.state !== 'running') return;
    await nextChange(buffer, signal);
  }
}
