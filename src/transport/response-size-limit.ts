import { constants } from 'node:buffer';
import { describeByteCount, ResponseTooLargeError } from '../errors/index.js';

/**
 * The `maxResponseBytes` a client reads at most from one response (a stream: from all its
 * connections together) unless told otherwise: far above any real completion or embedding
 * batch, far below what kills a process.
 */
export const defaultMaxResponseBytes = 256 * 1024 * 1024;

/**
 * The largest `maxResponseBytes` allowed: V8's longest string (about 512 MiB on 64-bit). A JSON
 * body is parsed from one string, and a decoded string never has more characters than the bytes
 * it came from, so any cap up to this one ends as a typed error, never a `RangeError`.
 */
export const largestMaxResponseBytes = constants.MAX_STRING_LENGTH;

/** Where the limit was passed, for the error message. */
export interface OversizedResponse {
  /** `GET http://host/path`, already redacted. */
  readonly target: string;
  readonly phase: 'body' | 'stream';
  readonly limitBytes: number;
  readonly receivedBytes: number;
  /** The `content-length` the server declared, when that alone was over the limit. */
  readonly declaredBytes?: number | undefined;
  readonly sentBytes?: number | undefined;
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
}

/**
 * The error for a response past `maxResponseBytes`, in words that say what to do.
 *
 * @example
 * throw responseTooLarge({ target: 'GET http://host/v1/models', phase: 'body', limitBytes: 1024, receivedBytes: 1100 });
 */
export function responseTooLarge(response: OversizedResponse): ResponseTooLargeError {
  const what = response.phase === 'stream' ? 'The stream of' : 'The response body of';
  const requestIdText = response.requestId === undefined ? '' : ` (request id ${response.requestId})`;
  const stopped =
    response.declaredBytes === undefined
      ? `the client stopped reading after ${response.receivedBytes} bytes`
      : `its content-length declares ${response.declaredBytes} bytes, so the client read none of it`;
  return new ResponseTooLargeError(
    `${what} ${response.target}${requestIdText} is larger than \`maxResponseBytes\`, ${describeByteCount(response.limitBytes)}: ` +
      `${stopped} and closed the connection. ` +
      'Raise `maxResponseBytes` (a client option, or per call) if responses this large are expected.',
    {
      phase: response.phase,
      limitBytes: response.limitBytes,
      receivedBytes: response.receivedBytes,
      sentBytes: response.sentBytes,
      status: response.status,
      requestId: response.requestId,
    },
  );
}
