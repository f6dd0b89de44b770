import type { IncomingMessage } from 'node:http';
import { releaseBufferMemory } from '../workers/release-buffer-memory.js';
import type { BodyBufferRefusal, BodyBufferReservation } from './body-buffer-budget.js';
import { HttpError } from './http-error.js';
import { lingerAfterAnswer } from './lingering-close.js';

/**
 * A declared body this large is copied into one buffer as it arrives, instead of joined at the
 * end: joining 4 MiB held the event loop ~5 ms (most of it the page faults of a fresh buffer),
 * spread over the chunks it is a few microseconds each.
 */
const copyAsItArrivesBytes = 256 * 1024;

/** What a body refused for the buffered-bytes limits tells the client to wait before retrying. */
export const bodyBufferRetryAfterMs = 1_000;

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `The request body is larger than the limit of ${limitBytes} bytes.`, {
    code: 'request_too_large',
    // The unread rest of the body makes the connection unusable for another request.
    headers: { connection: 'close' },
  });
}

/**
 * The answer to a body the buffered-bytes limits refuse: 429 when the tenant holds its share,
 * 503 when the server holds its total, both with `retry-after` (whole seconds) and
 * `retry-after-ms`, as the rate limits answer.
 *
 * @example
 * throw bufferFull({ scope: 'server', limitBytes: 64 << 20 });
 */
export function bufferFull(refusal: BodyBufferRefusal): HttpError {
  const retryAfter = `${bodyBufferRetryAfterMs / 1000} s`;
  const tenant = refusal.scope === 'tenant';
  const message = tenant
    ? `This API key has ${mebibytes(refusal.limitBytes)} of request bodies in flight, its limit; retry after ${retryAfter}.`
    : `The server holds ${mebibytes(refusal.limitBytes)} of request bodies, its limit; retry after ${retryAfter}.`;
  return new HttpError(tenant ? 429 : 503, message, {
    code: tenant ? 'tenant_body_buffer_full' : 'body_buffer_full',
    headers: {
      'retry-after': String(Math.ceil(bodyBufferRetryAfterMs / 1000)),
      'retry-after-ms': String(bodyBufferRetryAfterMs),
      // The unread rest of the body makes the connection unusable for another request.
      connection: 'close',
    },
  });
}

/**
 * Reads a request body into memory, refusing more than `limitBytes` (413) or more than the
 * `reservation` may hold (429/503, see {@link bufferFull}): a declared `content-length` is
 * checked and reserved before anything is read; a chunked body is counted as it arrives and
 * refused as soon as it crosses a limit, the rest never buffered. A refused body's connection
 * drops what is left and closes after the answer ({@link lingerAfterAnswer}). The reservation
 * is released here on a refusal or a failed upload (a client abort); after a complete read,
 * the caller releases it once done with the body.
 *
 * A large body of declared length is copied into one buffer as it arrives: `bodyBuffer`'s, when
 * it lends one of that length, else a fresh one.
 *
 * @example
 * const body = await readRequestBody(request, 1024 * 1024, budget.reserve(tenant));
 */
export function readRequestBody(
  request: IncomingMessage,
  limitBytes: number,
  reservation?: BodyBufferReservation,
  bodyBuffer?: (length: number) => Buffer | undefined,
): Promise<Buffer> {
  const refuse = (error: HttpError): HttpError => {
    reservation?.release();
    lingerAfterAnswer(request);
    return error;
  };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared)) {
    if (declared > limitBytes) return Promise.reject(refuse(tooLarge(limitBytes)));
    // What the client says it will send is held before a byte of it is read.
    const refusal = reservation?.grow(declared);
    if (refusal !== undefined) return Promise.reject(refuse(bufferFull(refusal)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    // Not zeroed: every byte is written before the body is used (a shorter body is cut to size).
    const whole =
      declared >= copyAsItArrivesBytes
        ? (bodyBuffer?.(declared) ?? Buffer.allocUnsafeSlow(declared))
        : undefined;
    let filled = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
      request.off('close', onClosed);
    };
    const fail = (error: HttpError) => {
      cleanup();
      reject(refuse(error));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        fail(tooLarge(limitBytes));
        return;
      }
      // A chunked body (or one longer than declared) holds its bytes as they come.
      if (reservation !== undefined && received > reservation.bytes) {
        const refusal = reservation.grow(received - reservation.bytes);
        if (refusal !== undefined) {
          fail(bufferFull(refusal));
          return;
        }
      }
      if (whole !== undefined && received <= whole.length) {
        whole.set(chunk, filled);
        filled = received;
        // Copied, and no other reader: its memory goes now, not at a collection of the heap.
        if (request.listenerCount('data') === 1) releaseBufferMemory(chunk);
      } else chunks.push(chunk);
    };
    // No cleanup once the body ended: nothing more comes (an 'error' after it would be a no-op),
    // and taking four listeners off was a visible share of a small request's cost.
    const onEnd = () => {
      if (whole === undefined) resolve(Buffer.concat(chunks, received));
      else if (chunks.length === 0) resolve(filled === whole.length ? whole : whole.subarray(0, filled));
      else resolve(Buffer.concat([whole.subarray(0, filled), ...chunks], received));
    };
    const onError = (error: Error) => {
      cleanup();
      reservation?.release();
      reject(new HttpError(400, `The request body could not be read: ${error.message}`));
    };
    const onAborted = () => onError(new Error('the client aborted the upload'));
    // A request closed before its body ended never ends: without this the read would wait for ever.
    const onClosed = () => {
      if (!request.readableEnded) onError(new Error('the connection closed before the body was read'));
    };
    if (request.destroyed && !request.readableEnded) {
      onClosed();
      return;
    }
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
    request.on('close', onClosed);
  });
}

/**
 * A body as it arrives, chunk by chunk, each counted by `onBytes`; nothing is held. The request
 * is not destroyed when the reader stops early (a 413), so the answer still reaches the client;
 * a client that leaves mid-body ends it with a 400.
 *
 * @example
 * for await (const chunk of requestBodyChunks(request, (bytes) => meter.addBytesIn(bytes))) sink.write(chunk);
 */
export async function* requestBodyChunks(
  request: IncomingMessage,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  } catch (error) {
    // A client that left mid-upload is its problem, not the server's: never a 5xx.
    throw new HttpError(400, `The request body could not be read: ${(error as Error).message}`);
  }
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
