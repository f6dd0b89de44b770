import {
  AbortError,
  AiaasError,
  APIError,
  ConnectionError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
} from '../errors/index.js';
import { type StreamProgress, StreamTimeoutError } from './stream-timeout-error.js';

/** The body failed under the stream: a transport error (connection, the transport's own timeout). */
function isBodyFailure(error: unknown): error is ConnectionError | TimeoutError {
  return (
    error instanceof ConnectionError ||
    (error instanceof TimeoutError && !(error instanceof StreamTimeoutError))
  );
}

/** A break the stream could not recover from: the body failed, or resuming it did. */
export function isConnectionBreak(error: unknown): boolean {
  return isBodyFailure(error) || (error instanceof StreamError && error.code === 'resume_failed');
}

/**
 * Any failure of a started stream as the typed error a user gets, carrying how far the
 * stream got. Timeouts and a stream past `maxResponseBytes` keep their type (the retry layer
 * classifies them), with the progress added; provider errors and aborts pass as they are;
 * everything else becomes a `StreamError` with the partial output, the usage so far and the
 * last event id, the original as its `cause`.
 *
 * @example
 * throw withProgress(error, { partial: ['Hel'], usage, lastEventId: '4', eventsReceived: 3 }, requestId);
 */
export function withProgress(
  error: unknown,
  progress: StreamProgress,
  requestId: string | undefined,
): AiaasError {
  if (error instanceof StreamTimeoutError) return error.withProgress(progress, requestId);
  // Its own type, with the partial output: the stream session reads the usage so far from it.
  if (error instanceof ResponseTooLargeError) return error.withProgress(progress, requestId);
  if (error instanceof APIError || error instanceof AbortError) return error;
  const carried = { partial: progress.partial, usage: progress.usage, lastEventId: progress.lastEventId };
  if (error instanceof StreamError) {
    return new StreamError(error.message, {
      ...carried,
      cause: error.cause,
      code: error.code,
      retryable: error.retryable,
      status: error.status,
      requestId: error.requestId ?? requestId,
    });
  }
  if (isBodyFailure(error)) {
    const resumeHint = progress.lastEventId === undefined ? ' (no event id to resume from)' : '';
    return new StreamError(
      `The connection broke after ${progress.eventsReceived} events and the stream could not be resumed${resumeHint}: ${error.message}`,
      {
        ...carried,
        cause: error,
        code: 'stream_broken',
        retryable: true,
        requestId: error.requestId ?? requestId,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StreamError(`The stream failed: ${message}`, {
    ...carried,
    cause: error,
    code: AiaasError.isInstance(error) ? error.code : 'stream_failed',
    requestId,
  });
}
