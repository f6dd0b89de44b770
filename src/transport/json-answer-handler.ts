import type { Dispatcher } from 'undici';
import type { AttemptSignal } from './attempt-signal.js';
import { normalizeResponseHeaders } from './response-headers.js';

/** A JSON attempt's answer, read whole: a 2xx body up to the call's limit, an error body up to its own cap. */
export interface CollectedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly requestId: string | undefined;
  readonly text: string;
  readonly receivedBytes: number;
}

/** How much of an answer is read, and what fails it past that. */
export interface AnswerLimits {
  /** The most bytes of a 2xx body; past it the attempt fails with {@link AnswerLimits.tooLarge}. */
  readonly limitBytes: number;
  /** The most bytes kept of an error body; the rest is dropped, not an error. */
  readonly errorLimitBytes: number;
  /** False for a HEAD request: its `content-length` describes a body that never comes. */
  readonly expectsBody: boolean;
  readonly tooLarge: TooLarge;
}

/** The error of a body past the limit, for the response it belongs to. */
export type TooLarge = (
  response: { readonly status: number; readonly requestId: string | undefined },
  receivedBytes: number,
  declaredBytes?: number,
) => Error;

type Controller = Dispatcher.DispatchController;

const utf8ByteOrderMark = [0xef, 0xbb, 0xbf] as const;

/**
 * Reads one JSON answer straight from undici's dispatcher into a string. `request()` would put a
 * Readable stream, an async resource and a body consumer between the socket and the text, which
 * is most of a small call's cost in the client; this keeps only the chunks. The attempt's signal
 * (caller abort or timeout) fails the call at once, even while the request waits for a connection.
 *
 * @example
 * const answer = await new Promise<CollectedAnswer>((resolve, reject) =>
 *   dispatcher.dispatch({ origin, path, method, headers, body }, new JsonAnswerHandler(attempt, limits, resolve, reject)));
 */
export class JsonAnswerHandler implements Dispatcher.DispatchHandler {
  readonly #attempt: AttemptSignal;
  readonly #limits: AnswerLimits;
  readonly #resolve: (answer: CollectedAnswer) => void;
  readonly #reject: (error: unknown) => void;
  #controller: Controller | undefined;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #receivedBytes = 0;

  constructor(
    attempt: AttemptSignal,
    limits: AnswerLimits,
    resolve: (answer: CollectedAnswer) => void,
    reject: (error: unknown) => void,
  ) {
    this.#attempt = attempt;
    this.#limits = limits;
    this.#resolve = resolve;
    this.#reject = reject;
    if (attempt.aborted) this.#fail(attempt.reason);
    else attempt.on('abort', this.#onAbort);
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    // Aborted while it waited for a connection: the call has already failed; free the slot.
    if (this.#settled) controller.abort(asError(this.#attempt.reason));
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.#settled) return;
    this.#status = statusCode;
    this.#headers = normalizeResponseHeaders(headers);
    this.#attempt.phase = 'body';
    if (!this.#isSuccess() || !this.#limits.expectsBody) return;
    const declared = this.#headers['content-length'];
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > this.#limits.limitBytes) {
      this.#failAndAbort(controller, this.#limits.tooLarge(this.#responseSoFar(), 0, Number(declared)));
    }
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#settled) return;
    const received = this.#receivedBytes + chunk.byteLength;
    this.#receivedBytes = received;
    if (this.#isSuccess()) {
      if (received > this.#limits.limitBytes)
        this.#failAndAbort(controller, this.#limits.tooLarge(this.#responseSoFar(), received));
      else this.#chunks.push(chunk);
      return;
    }
    const room = this.#limits.errorLimitBytes - (received - chunk.byteLength);
    if (chunk.byteLength <= room) {
      this.#chunks.push(chunk);
      return;
    }
    // Enough of an error body to explain it; the rest is not read.
    if (room > 0) this.#chunks.push(chunk.subarray(0, room));
    this.#finish();
    controller.abort(new Error('aiaas: error body past its cap'));
  }

  onResponseEnd(): void {
    if (!this.#settled) this.#finish();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.#fail(error);
  }

  #responseSoFar(): { status: number; requestId: string | undefined } {
    return { status: this.#status, requestId: this.#headers['x-request-id'] };
  }

  #isSuccess(): boolean {
    return this.#status >= 200 && this.#status < 300;
  }

  readonly #onAbort = (): void => {
    const reason = this.#attempt.reason;
    this.#fail(reason);
    this.#controller?.abort(asError(reason));
  };

  #failAndAbort(controller: Controller, error: Error): void {
    this.#fail(error);
    controller.abort(error);
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(error);
  }

  #finish(): void {
    this.#settle();
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#chunks = [];
    this.#resolve({
      status: this.#status,
      headers: this.#headers,
      requestId: this.#headers['x-request-id'],
      text: decodeUtf8(body),
      receivedBytes: this.#receivedBytes,
    });
  }

  #settle(): void {
    this.#settled = true;
    this.#attempt.removeListener('abort', this.#onAbort);
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`aiaas attempt ended: ${String(reason)}`);
}

/** UTF-8 text without a leading byte order mark (JSON.parse refuses one; a TextDecoder drops it too). */
function decodeUtf8(body: Buffer): string {
  const hasMark =
    body.byteLength >= 3 &&
    body[0] === utf8ByteOrderMark[0] &&
    body[1] === utf8ByteOrderMark[1] &&
    body[2] === utf8ByteOrderMark[2];
  return body.toString('utf8', hasMark ? 3 : 0);
}
