import type { RetryStopReason } from '../errors/aiaas-error.js';

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
