import { AiaasError } from '../errors/aiaas-error.js';
import { APIError, isRetryableStatus } from '../errors/api-error.js';
import { BudgetExceededError, UnpricedModelError } from '../errors/cost-errors.js';
import { AbortError, ConnectionError, TimeoutError } from '../errors/transport-errors.js';
import { ValidationError } from '../errors/validation-error.js';
import { serverRetryDelay } from './retry-delay.js';

/** Whether an error is worth another attempt, and why, in words that can end an error message. */
export interface RetryClassification {
  readonly retryable: boolean;
  readonly explanation: string;
}

/**
 * What the streaming layer may put on a `stream`-phase error to say how far the stream got.
 * Without one of these hints a stream error is not retried: events may already have reached
 * the caller, and replaying the call would show them twice (resuming is the streaming layer's job).
 */
export interface StreamProgressHint {
  /** Events already handed to the caller; 0 means the stream broke before its first event. */
  readonly eventsReceived?: number;
  /** Text received so far per choice; an empty array (and no `lastEventId`) means nothing was received. */
  readonly partial?: readonly string[];
  readonly lastEventId?: string | undefined;
}

function retryable(explanation: string): RetryClassification {
  return { retryable: true, explanation };
}

function notRetryable(explanation: string): RetryClassification {
  return { retryable: false, explanation };
}

/** The `x-should-retry` header as a boolean, or undefined when absent or not `true`/`false`. */
function serverShouldRetry(error: APIError): boolean | undefined {
  const value = error.headers['x-should-retry']?.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The error `code` from the error itself or from an OpenAI-style body `{ error: { code } }`. */
function errorCode(error: APIError): string {
  if (typeof error.code === 'string') return error.code;
  const body = error.body as { error?: { code?: unknown } } | undefined;
  const code = typeof body === 'object' && body !== null ? body.error?.code : undefined;
  return typeof code === 'string' ? code : '';
}

function streamHadNotStarted(error: AiaasError): boolean {
  const hint = error as AiaasError & StreamProgressHint;
  if (typeof hint.eventsReceived === 'number') return hint.eventsReceived === 0;
  // `StreamError` defaults `partial` to [], so an empty array alone proves little: an event id
  // means events arrived (a failed resume, say), and replaying would show them twice.
  return Array.isArray(hint.partial) && hint.partial.length === 0 && hint.lastEventId === undefined;
}

function classifyApiError(error: APIError): RetryClassification {
  const status = error.status;
  // The server knows its own state best (e.g. a 503 during a deploy that will not recover), so
  // its explicit word beats every status rule below.
  const override = serverShouldRetry(error);
  if (override === true) return retryable(`the server answered ${status} with x-should-retry: true`);
  if (override === false) return notRetryable(`the server answered ${status} with x-should-retry: false`);
  // A reused idempotency key with a different body fails the same way every time; retrying
  // with the same key cannot succeed, and a new key could bill twice.
  if (status === 409 && errorCode(error).toLowerCase().includes('idempotency')) {
    return notRetryable('the idempotency key was already used for a different request body (409)');
  }
  if (isRetryableStatus(status)) return retryable(`the server answered ${status}`);
  return notRetryable(`the server answered ${status}, which a retry cannot fix`);
}

/**
 * Decides whether an error may succeed on another attempt.
 *
 * Retried: 408, 409 (not an idempotency conflict), 429, 5xx, connection errors, timeouts
 * before the body, and stream errors before the first event. Not retried: other 4xx, caller
 * aborts, budget, validation and pricing errors, errors that are not aiaas errors, and errors
 * another retry runner already gave up on (retrying those again would multiply the attempts).
 * A server's `x-should-retry: true|false` overrides the status rule.
 *
 * @example
 * const { retryable, explanation } = classifyForRetry(error);
 * if (!retryable) console.warn(`not retrying: ${explanation}`);
 */
export function classifyForRetry(error: unknown): RetryClassification {
  if (!AiaasError.isInstance(error))
    return notRetryable('it is not an aiaas error, so it is passed through as is');
  if (error.retryStopReason !== undefined) return notRetryable('an inner retry runner already gave up on it');
  if (error instanceof AbortError) return notRetryable('the caller aborted');
  if (error instanceof BudgetExceededError) return notRetryable('a hard budget would be exceeded');
  if (error instanceof ValidationError) return notRetryable(`the ${error.subject} does not match its schema`);
  if (error instanceof UnpricedModelError) return notRetryable(`model "${error.model}" has no price`);
  if (error instanceof APIError) return classifyApiError(error);
  if (error.phase === 'stream') {
    const kindRetryable =
      error instanceof ConnectionError || error instanceof TimeoutError || error.retryable;
    if (!kindRetryable) return notRetryable('the stream failed in a way a retry cannot fix');
    if (streamHadNotStarted(error)) return retryable('the stream broke before its first event');
    return notRetryable("the stream had already yielded events (resuming it is the streaming layer's job)");
  }
  if (error instanceof TimeoutError) {
    if (error.phase === 'connect' || error.phase === 'headers')
      return retryable(`it timed out (${error.phase})`);
    return notRetryable(
      `it timed out while reading the ${error.phase ?? 'response'}, after the server answered`,
    );
  }
  if (error instanceof ConnectionError) return retryable('the connection failed');
  return error.retryable
    ? retryable('the error is marked retryable')
    : notRetryable('the error is not retryable');
}

/**
 * The wait a 429 or 503 asked for with `retry-after-ms` or `retry-after`, when it is longer than
 * zero; undefined for any other error. Such an answer is the server pacing its clients, not
 * failing: the retry throttle does not charge a retry that waits at least this long, so a
 * burst of rate limits is ridden out while outages (bare 5xx, refused connections) still drain
 * the bucket. A zero wait paces nothing, and on other statuses the header promises no capacity.
 *
 * @example
 * serverPacingDelay(new RateLimitError('slow down', { status: 429, headers: { 'retry-after-ms': '20' }, body: undefined })); // 20
 * serverPacingDelay(new InternalServerError('down', { status: 503, headers: {}, body: undefined })); // undefined
 */
export function serverPacingDelay(error: unknown, now: () => number = Date.now): number | undefined {
  if (!(error instanceof APIError) || (error.status !== 429 && error.status !== 503)) return undefined;
  const delayMs = serverRetryDelay(error.headers, now);
  return delayMs !== undefined && delayMs > 0 ? delayMs : undefined;
}
