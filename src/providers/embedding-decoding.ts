import { ValidationError } from '../errors/index.js';

/**
 * Decodes one embedding from the wire: an array of floats, or base64 of little-endian
 * float32 (OpenAI's `encoding_format: "base64"`).
 */
export function decodeEmbedding(
  value: readonly number[] | string,
  path: string,
  requestId?: string,
): Float32Array {
  if (typeof value !== 'string') return Float32Array.from(value);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.byteLength % 4 !== 0) {
    const message = `base64 embedding has ${bytes.byteLength} bytes, not a multiple of 4`;
    throw new ValidationError(
      `Invalid embedding response: ${path}: ${message}${requestId ? ` (request id ${requestId})` : ''}`,
      {
        issues: [{ path, message }],
        subject: 'response',
        requestId,
      },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const floats = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < floats.length; index++) floats[index] = view.getFloat32(index * 4, true);
  return floats;
}
