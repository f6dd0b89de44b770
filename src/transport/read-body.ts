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
