import { Readable } from 'node:stream';

/** Reads a body into one string, up to `limitBytes` (the rest is left unread): for error bodies, never for streams. */
export async function readBodyText(
  body: AsyncIterable<Uint8Array>,
  limitBytes = Number.POSITIVE_INFINITY,
): Promise<string> {
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > limitBytes) {
      parts.push(decoder.decode(chunk.subarray(0, Math.max(0, chunk.byteLength - (received - limitBytes)))));
      break;
    }
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** How much of a body {@link readResponseText} may read, and what it throws past that. */
export interface ResponseTextLimit {
  readonly limitBytes: number;
  /** The `content-length` the server declared for this body, when it declared one. */
  readonly declaredBytes: number | undefined;
  /** The error to throw once the body is known to be too large: the bytes read so far, or the declared length that alone is too large. */
  readonly tooLarge: (receivedBytes: number, declaredBytes?: number) => Error;
}

/**
 * A whole response body as text, never more than `limit.limitBytes` of it: a body declared
 * larger fails before a byte is read, and one that grows past the limit (chunked, no declared
 * length) fails as soon as it does; either way the body is destroyed, which closes its socket.
 * A body of a declared length within the limit goes through undici's own reader when the body
 * is undici's (no middleware replaced it): it skips an async iterator and a decoder per chunk.
 *
 * @example
 * const text = await readResponseText(response.body, { limitBytes: 1 << 20, declaredBytes: 512, tooLarge });
 */
export function readResponseText(body: AsyncIterable<Uint8Array>, limit: ResponseTextLimit): Promise<string> {
  const { declaredBytes } = limit;
  if (declaredBytes !== undefined && declaredBytes > limit.limitBytes) {
    discard(body);
    return Promise.reject(limit.tooLarge(0, declaredBytes));
  }
  // Only with a declared length: undici's reader would buffer an endless chunked body whole.
  if (
    declaredBytes !== undefined &&
    body instanceof Readable &&
    typeof (body as { text?: unknown }).text === 'function'
  ) {
    return (body as Readable & { text(): Promise<string> }).text();
  }
  return readWithin(body, limit);
}

async function readWithin(body: AsyncIterable<Uint8Array>, limit: ResponseTextLimit): Promise<string> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > limit.limitBytes) {
      // Leaving the loop returns the iterator, which destroys a Node stream; other bodies are told too.
      discard(body);
      throw limit.tooLarge(received);
    }
    chunks.push(chunk);
  }
  // One decode of the whole: a TextDecoder, like undici's reader, drops a leading BOM that JSON.parse refuses.
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
}

/** Stops a body the client will not read, freeing its socket. */
function discard(body: AsyncIterable<Uint8Array>): void {
  const destroyable = body as { destroy?: unknown; on?: unknown };
  if (typeof destroyable.destroy !== 'function') return;
  // undici's body reports its own destruction as an 'error'; nobody else is listening any more.
  if (typeof destroyable.on === 'function')
    (destroyable.on as (event: string, listener: () => void) => void).call(body, 'error', ignore);
  (destroyable.destroy as () => void).call(body);
}

function ignore(): void {}
