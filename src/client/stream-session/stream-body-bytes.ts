import { makeUsage, type Usage } from '../../cost/usage.js';
import type { BodyByteCount } from '../../transport/body-byte-count.js';

/**
 * The bytes one logical stream exchanged, in the definition aiaas/server bills a stream by:
 * `bytesIn` is the request body of the attempt that opened it (a resume sends the body again,
 * but the server replays a resume from what it already metered and bills it nothing), and
 * `bytesOut` is the response body bytes read over every connection of the stream — the first
 * and each resume. A resume starts after the last complete event received, and the server cuts
 * a stream between events, so every event's bytes are counted once across connections.
 *
 * @example
 * const bytes = new StreamBodyBytes();
 * bytes.add(response.bodyByteCount, { opening: true });
 * bytes.usage(); // { bytesIn, bytesOut, ... } with requests 0
 */
export class StreamBodyBytes {
  #sent = 0;
  readonly #bodies: BodyByteCount[] = [];

  /** Counts a body of the stream; only the opening request's body counts as sent. */
  add(count: BodyByteCount | undefined, options: { opening: boolean }): void {
    if (count === undefined) return;
    if (options.opening) this.#sent = count.sent;
    this.#bodies.push(count);
  }

  /** Bytes so far as usage buckets (no request: the stream's own usage already counts it). */
  usage(): Usage {
    let received = 0;
    for (const body of this.#bodies) received += body.received;
    return makeUsage({ bytesIn: this.#sent, bytesOut: received, requests: 0 });
  }
}
