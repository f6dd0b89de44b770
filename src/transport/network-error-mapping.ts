import { AbortError, AiaasError, ConnectionError, type ErrorPhase, TimeoutError } from '../errors/index.js';
import type { AttemptSignal } from './attempt-signal.js';
import type { Redactor } from './redactor.js';

export interface NetworkErrorContext {
  method: string;
  url: string;
  attempt: AttemptSignal;
  redactor: Redactor;
  /** Phase to report when the error came from reading a stream's body. */
  bodyPhase?: ErrorPhase;
}

const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const brokenConnectionCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_INFO',
]);
const undiciTimeouts: Record<string, ErrorPhase> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/** The `code` of an error or of the errors it wraps (undici nests the socket error in `cause`). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested)) for (const inner of nested) codes.push(...errorCodes(inner));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function rawMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error of a request that `client.close()` stopped, or that was made after it: an
 * `AbortError` with code `client_closed`, never retried.
 *
 * @example
 * throw clientClosedError('POST http://host/v1/chat/completions', 'headers');
 */
export function clientClosedError(target: string, phase: ErrorPhase, cause?: unknown): AbortError {
  return new AbortError(`${target} was aborted: the client was closed.`, {
    code: 'client_closed',
    phase,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Turns whatever undici or Node threw into an aiaas error, so `TypeError: terminated`,
 * `Premature close` or a bare socket error never reaches a user.
 */
export function mapNetworkError(error: unknown, context: NetworkErrorContext): AiaasError {
  if (AiaasError.isInstance(error)) return error;
  const { attempt, redactor } = context;
  const target = redactor.text(`${context.method} ${context.url}`);
  const timedOutPhase = attempt.timedOutPhase;
  if (timedOutPhase !== undefined) {
    const waitingFor = timedOutPhase === 'headers' ? 'the response headers' : 'the response body';
    return new TimeoutError(
      `${target} timed out after ${attempt.timeoutMs} ms waiting for ${waitingFor}. Raise \`timeout\` if the model is slow.`,
      { phase: timedOutPhase, timeoutMs: attempt.timeoutMs ?? 0, cause: error },
    );
  }
  const phase = attempt.phase === 'headers' ? 'headers' : (context.bodyPhase ?? 'body');
  if (attempt.closedByClient) return clientClosedError(target, phase, error);
  if (attempt.callerAborted) return new AbortError(`${target} was aborted by the caller.`, { cause: error });

  const codes = errorCodes(error);
  const detail = redactor.text(rawMessage(error));
  for (const code of codes) {
    const timeoutPhase = undiciTimeouts[code];
    if (timeoutPhase) {
      return new TimeoutError(
        `${target} timed out waiting for the ${timeoutPhase === 'connect' ? 'connection' : timeoutPhase}.`,
        {
          phase: timeoutPhase,
          timeoutMs: 0,
          code,
          cause: error,
        },
      );
    }
    if (connectCodes.has(code)) {
      return new ConnectionError(
        `Could not connect for ${target} (${code}). Is the server running and the base URL right?`,
        {
          phase: 'connect',
          code,
          cause: error,
        },
      );
    }
    if (brokenConnectionCodes.has(code)) {
      return new ConnectionError(
        `The connection broke during ${target} while reading the ${phase === 'headers' ? 'response headers' : 'response body'} (${code}: ${detail}).`,
        {
          phase,
          code,
          cause: error,
        },
      );
    }
  }
  if (/terminated|other side closed|premature close|socket hang up/i.test(detail)) {
    return new ConnectionError(`The connection closed during ${target} (${detail}).`, {
      phase,
      cause: error,
    });
  }
  const code = codes[0];
  return new ConnectionError(`${target} failed: ${detail}`, {
    phase,
    cause: error,
    ...(code === undefined ? {} : { code }),
  });
}
