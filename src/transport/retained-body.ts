import type { Readable } from 'node:stream';

/** Bytes held ahead of a slow reader before the socket is paused (backpressure still applies). */
const defaultHighWaterBytes = 1024 * 1024;

/**
 * Reads a response body so that a break loses nothing that already arrived: every chunk
 * received before the connection broke is yielded first, then the error is thrown.
 *
 * Why: undici destroys a body whose socket closes early, and a destroyed Node stream drops its
 * buffered chunks, so a reader slower than the network lost the last events before a cut. Its
 * `Last-Event-ID` then lagged behind what the server wrote, and the resume went back through
 * the place the stream was cut at (a `drop_after=n` fault fires again there), cut after cut,
 * until the resumes ran out. Holding the chunks here keeps the resume point exact.
 *
 * @example
 * for await (const chunk of retainedBody(response.body)) decoder.push(chunk);
 */
export async function* retainedBody(
  body: Readable,
  highWaterBytes = defaultHighWaterBytes,
): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onData = (chunk: Uint8Array) => {
    queue.push(chunk);
    queuedBytes += chunk.byteLength;
    if (queuedBytes >= highWaterBytes) body.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= { error };
    notify();
  };
  const onClose = () => {
    // A close without `end` is a break even when no error was given.
    if (!ended) failure ??= { error: new Error('The response body closed before its end.') };
    notify();
  };
  body.on('data', onData);
  body.once('end', onEnd);
  body.once('error', onError);
  body.once('close', onClose);
  try {
    for (;;) {
      if (queue.length > 0) {
        // All that arrived in one piece, as a stream's own reader hands it over: what arrived before a stop is all seen.
        const chunk = queue.length === 1 ? (queue[0] as Uint8Array) : Buffer.concat(queue);
        queue.length = 0;
        queuedBytes = 0;
        if (body.isPaused() && !body.destroyed) body.resume();
        yield chunk;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    body.off('data', onData);
    body.off('end', onEnd);
    body.off('error', onError);
    body.off('close', onClose);
    // Leaving early (a `break`, an abort) must free the socket, not leave it to the server's pace.
    if (!ended && !body.destroyed) body.destroy();
  }
}
