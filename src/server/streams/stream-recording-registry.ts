import type { RequestContext } from '../http/request-context.js';
import { StreamRecording } from './stream-recording.js';
import type { StreamReplayStore } from './stream-replay-store.js';

/** A stream is stopped when no socket followed it this long, unless an option says otherwise. */
export const defaultResumeWindowMs = 30_000;

/**
 * The recorded streams: their replay buffers (in the {@link StreamReplayStore}, under tenant
 * and Idempotency-Key) and, beside each buffer, the {@link StreamRecording} that can stop its
 * generation. A handle lives exactly as long as its buffer is held, so a forgotten stream can
 * no longer be cancelled, and a tenant only ever finds its own.
 *
 * @example
 * const recordings = new StreamRecordingRegistry(new StreamReplayStore(), 30_000);
 * const recording = recordings.open(context); // the stream of a POST with an Idempotency-Key
 * recordings.find(tenant, key)?.stop('The client cancelled the stream.');
 */
export class StreamRecordingRegistry {
  readonly replays: StreamReplayStore;
  readonly resumeWindowMs: number;
  // Keyed by buffer, so the store's bounds (count, bytes, TTL) bound the handles too.
  readonly #recordings = new WeakMap<object, StreamRecording>();

  constructor(replays: StreamReplayStore, resumeWindowMs = defaultResumeWindowMs) {
    this.replays = replays;
    this.resumeWindowMs = resumeWindowMs;
  }

  /** Starts recording the stream of `context` (a POST with an Idempotency-Key), replacing an earlier one. */
  open(context: RequestContext): StreamRecording {
    const buffer = this.replays.open(context.tenant.id, context.idempotencyKey!);
    const recording = new StreamRecording(context, buffer, this.resumeWindowMs);
    this.#recordings.set(buffer, recording);
    return recording;
  }

  /** The recording of (tenant, key), or undefined when none is held (never streamed, forgotten, expired). */
  find(tenant: string, key: string): StreamRecording | undefined {
    const buffer = this.replays.get(tenant, key);
    return buffer === undefined ? undefined : this.#recordings.get(buffer);
  }
}
