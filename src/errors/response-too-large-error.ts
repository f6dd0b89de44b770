import { AiaasError, type AiaasErrorOptions } from './aiaas-error.js';

export interface ResponseTooLargeErrorOptions extends AiaasErrorOptions {
  /** `body`: a JSON (or error) body read whole; `stream`: a stream's bodies, every resume included. */
  phase: 'body' | 'stream';
  /** The `maxResponseBytes` in force. */
  limitBytes: number;
  /** Response bytes that arrived before the client stopped reading (the limit plus at most part of a chunk). */
  receivedBytes: number;
  /** Request body bytes sent, when known: with `receivedBytes`, what a data-volume price bills. */
  sentBytes?: number | undefined;
  /** Streams: text received so far, per choice index. */
  partial?: readonly string[] | undefined;
  /** Streams: usage so far (reported, or estimated from what was received). */
  usage?: unknown;
  lastEventId?: string | undefined;
}

/** What a stream had received when it was stopped (the streaming layer's `StreamProgress` fits). */
export interface ResponseProgress {
  readonly partial: readonly string[];
  readonly usage: unknown;
  readonly lastEventId: string | undefined;
}

/**
 * A response was larger than `maxResponseBytes` (a client option, or per call): the client
 * stopped reading, closed the connection and kept its memory bounded instead of dying on V8's
 * string limit. Never retried: the same call would get the same answer. A stream's error also
 * carries its partial output and usage so far, like a `StreamError`; its ledger entry is written.
 *
 * @example
 * catch (error) {
 *   if (error instanceof ResponseTooLargeError) console.log(error.limitBytes, error.receivedBytes, error.partial[0]?.length);
 * }
 */
export class ResponseTooLargeError extends AiaasError {
  // A class that refers to itself is renamed by the bundler (`_ResponseTooLargeError`); its name is part of the API.
  static {
    Object.defineProperty(ResponseTooLargeError, 'name', { value: 'ResponseTooLargeError' });
  }

  declare readonly phase: 'body' | 'stream';
  readonly limitBytes: number;
  readonly receivedBytes: number;
  readonly sentBytes: number | undefined;
  readonly partial: readonly string[];
  readonly usage: unknown;
  readonly lastEventId: string | undefined;

  constructor(message: string, options: ResponseTooLargeErrorOptions) {
    super(message, { code: 'response_too_large', ...options, retryable: false });
    this.limitBytes = options.limitBytes;
    this.receivedBytes = options.receivedBytes;
    this.sentBytes = options.sentBytes;
    this.partial = options.partial ?? [];
    this.usage = options.usage;
    this.lastEventId = options.lastEventId;
  }

  /** The same error, carrying how far the stream got. */
  withProgress(progress: ResponseProgress, requestId: string | undefined): ResponseTooLargeError {
    return new ResponseTooLargeError(this.message, {
      phase: this.phase,
      limitBytes: this.limitBytes,
      receivedBytes: this.receivedBytes,
      sentBytes: this.sentBytes,
      partial: progress.partial,
      usage: progress.usage,
      lastEventId: progress.lastEventId,
      requestId: this.requestId ?? requestId,
      cause: this.cause,
    });
  }
}

/**
 * A size for people: `1 MiB (1048576 bytes)`.
 *
 * @example
 * describeByteCount(256 * 1024 * 1024); // '256 MiB (268435456 bytes)'
 */
export function describeByteCount(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'] as const;
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  if (unit === '') return `${bytes} bytes`;
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${rounded} ${unit} (${bytes} bytes)`;
}
