import { Readable } from 'node:stream';

/** Reads a whole body into one string (only for JSON and error bodies, never for streams). */
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

/**
 * A whole response body as text: undici's own reader when the body is undici's (no middleware
 * replaced it), which skips an async iterator and a decoder per chunk; else chunk by chunk.
 *
 * @example
 * const text = await readResponseText(response.body);
 */
export function readResponseText(body: AsyncIterable<Uint8Array>): Promise<string> {
  if (body instanceof Readable && typeof (body as { text?: unknown }).text === 'function') {
    return (body as Readable & { text(): Promise<string> }).text();
  }
  return readBodyText(body);
}
