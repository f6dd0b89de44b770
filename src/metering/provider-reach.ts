import { AbortError, AiaasError, ConnectionError, StreamError, TimeoutError } from '../errors/index.js';

/**
 * Whether a failed attempt's request may have reached the provider, so that it may have been
 * billed. Only failures known to happen before a byte was sent say no: a refused connection or
 * a DNS failure (`ConnectionError`, phase `connect`), a connect timeout, a call refused by a closed
 * client. An answer with an error status bills nothing (the provider said so). Anything else
 * after sending — a timeout waiting for headers or the body, a reset, an abort, a stream that
 * broke before its first event — may have been.
 */
export function mayHaveReachedProvider(error: unknown): boolean {
  if (!AiaasError.isInstance(error)) return false;
  if (error.status !== undefined) return false;
  if (
    error instanceof TimeoutError ||
    error instanceof ConnectionError ||
    error instanceof AbortError ||
    error instanceof StreamError
  ) {
    return error.phase !== 'connect';
  }
  return false;
}
