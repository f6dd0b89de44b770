import type { AiaasError, RetryStopReason } from '../errors/aiaas-error.js';
import { StreamError } from '../errors/stream-error.js';
import { ConnectionError, TimeoutError } from '../errors/transport-errors.js';

function attemptsPhrase(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

/**
 * The sentence appended to the error that ends a call: how many attempts were made and why
 * the runner stopped, e.g. "Gave up after 3 attempts (maxRetries is 2): the server kept answering 503."
 */
export function retryOutcomeSentence(reason: RetryStopReason, attempts: number, detail: string): string {
  if (reason === 'aborted') {
    return attempts === 0
      ? 'Stopped before the first attempt: the caller aborted.'
      : `Stopped after ${attemptsPhrase(attempts)}: the caller aborted${detail === '' ? '' : ` ${detail}`}.`;
  }
  if (reason === 'not-retryable') return `Not retried (${attemptsPhrase(attempts)} made): ${detail}.`;
  return `Gave up after ${attemptsPhrase(attempts)}${reason === 'max-retries' ? ` (maxRetries is ${attempts - 1})` : ''}: ${detail}.`;
}

/**
 * True for an error that came from an attempt reaching (or trying to reach) the provider: an
 * error status, a connection failure, a timeout, a broken stream. Only those get the retry
 * sentence: on a local refusal (an unsupported operation, an invalid request, a budget, an
 * unpriced model) "Not retried (1 attempt made)" would point the reader at the network for
 * nothing.
 *
 * @example
 * if (isProviderFailure(error)) error.message += ` ${retryOutcomeSentence('not-retryable', 1, detail)}`;
 */
export function isProviderFailure(error: AiaasError): boolean {
  return (
    error.status !== undefined ||
    error.phase !== undefined ||
    error instanceof ConnectionError ||
    error instanceof TimeoutError ||
    error instanceof StreamError
  );
}
