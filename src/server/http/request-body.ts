import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `The request body is larger than the limit of ${limitBytes} bytes.`, {
    code: 'request_too_large',
    // The unread rest of the body makes the connection unusable for another request.
    headers: { connection: 'close' },
  });
}

/**
 * Reads a request body into memory, refusing more than `limitBytes`: a declared
 * `content-length` over the limit is refused before reading anything, and a chunked
 * body is refused as soon as it crosses the limit (the rest is never buffered).
 *
 * @example
 * const body = await readRequestBody(request, 1024 * 1024);
 */
export function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        cleanup();
        // Pausing (not destroying) keeps the socket writable for the 413 answer.
        request.pause();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    // No cleanup once the body ended: nothing more comes (an 'error' after it would be a no-op),
    // and taking four listeners off was a visible share of a small request's cost.
    const onEnd = () => resolve(Buffer.concat(chunks, received));
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpError(400, `The request body could not be read: ${error.message}`));
    };
    const onAborted = () => onError(new Error('the client aborted the upload'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

/** Parses a JSON body; an empty or malformed one is a 400 (never a 500). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'The request body is empty; a JSON object was expected.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `The request body is not valid JSON: ${detail}`, { code: 'invalid_json' });
  }
}
