import type { LedgerStatus } from '../cost/ledger-entry.js';
import type { Money } from '../cost/money.js';
import type { Usage } from '../cost/usage.js';
import type { ResponseInfo } from '../transport/transport-types.js';
import type { CallEstimate } from './call-estimate.js';
import { mayHaveReachedProvider } from './provider-reach.js';

/** What the cost layer needs to know about a call that may cost money. */
export interface CallMetering<Data = unknown> {
  readonly model: string;
  /** Only run when a budget needs a quote: counting a long prompt's tokens is not free. */
  readonly estimate: () => CallEstimate;
  /** The usage of a successful call's answer; a stream reports its own when it ends. */
  usage?(answer: { data: Data; response: ResponseInfo }): Usage;
}

/** The attempts of one logical call so far, as they ran. */
export class CallProgress {
  /** The attempt running now, or the last one (1 for the first). */
  attempts = 0;
  #reachedProvider = 0;

  /** Notes a failed attempt: the error that ends a call can hide that an earlier attempt was sent and billed. */
  noteFailure(error: unknown): void {
    if (mayHaveReachedProvider(error)) this.#reachedProvider += 1;
  }

  /** How many failed attempts may have reached the provider (and so may have been billed). */
  get reachedProvider(): number {
    return this.#reachedProvider;
  }
}

/** One logical call as every middleware sees it, fixed before its first byte is sent. */
export interface CallDescription<Data = unknown> {
  /** The SDK method, e.g. `chat.completions.create`. */
  readonly operation: string;
  /** The provider dialect, written on ledger entries. */
  readonly provider: string;
  /** The same on every attempt and resume of the call. */
  readonly idempotencyKey: string | undefined;
  /** Undefined for a call that costs nothing (listing models, metadata). */
  readonly metering: CallMetering<Data> | undefined;
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** The call's own headers (an `authorization` there means another tenant pays). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly progress: CallProgress;
}

/** A finished call: its answer, and its usage and cost when it was metered (`withResponse()`). */
export interface CallOutcome<Data> {
  data: Data;
  response: ResponseInfo;
  /**
   * The usage buckets recorded in the ledger for this call; null for calls that cost nothing
   * (listing models, metadata, tokenize).
   */
  usage: Usage | null;
  /** The exact price of `usage`; null when no `pricing` is configured or the call costs nothing. */
  cost: Money | null;
  /** Which attempt succeeded (1 when no retry was needed). */
  attempts: number;
}

/** The ledger entry a call or stream ended with. */
export interface CallSettlement {
  readonly attempt: number;
  readonly usage: Usage;
  readonly cost: Money | null;
  readonly status: LedgerStatus;
}

/** How a stream ended, and how to learn what it used. */
export interface StreamEnding {
  /** `ok` when it reached its end; `error` when it broke; `aborted` when its consumer left. */
  readonly status: LedgerStatus;
  /** What broke it, for `error` and an aborting error; else undefined. */
  readonly error: unknown;
  /** What the stream used: as reported, as the provider billed the unfinished stream, or estimated. */
  usage(): Promise<Usage>;
}

/** What a stream's ending came to: its settlement, or the error recording it hit. */
export type StreamSettledOutcome =
  | { readonly settlement: CallSettlement; readonly error: unknown }
  | { readonly settlement: undefined; readonly error: unknown };

/** A stream as middleware sees it once it is open: told how to settle its ending, and when it did. */
export interface MeterableStream {
  /** The attempt that opened the stream. */
  readonly attempts: number;
  readonly requestId: string | undefined;
  /** Sets how the stream's ending becomes a ledger entry; the stream runs it once, before its consumer sees the end. */
  settleWith(settle: (ending: StreamEnding) => Promise<CallSettlement>): void;
  /** Runs once the ending is settled (or failed to be); `error` is the stream's own error, if it broke. */
  whenSettled(listener: (outcome: StreamSettledOutcome) => void): void;
}

/**
 * Wraps every logical call, like the Vercel AI SDK's `wrapLanguageModel`: a small object of
 * optional hooks, one around a call and one around a stream. A list of them is folded onto the
 * provider so the first sees the call first and the last sits next to the provider.
 *
 * @example
 * const timing: CallMiddleware = {
 *   async wrapCall(call, next) {
 *     const started = performance.now();
 *     try { return await next(); } finally { metrics.observe(call.operation, performance.now() - started); }
 *   },
 * };
 */
export interface CallMiddleware {
  wrapCall?<Data>(
    call: CallDescription<Data>,
    next: () => Promise<CallOutcome<Data>>,
  ): Promise<CallOutcome<Data>>;
  wrapStream?<Stream extends MeterableStream>(
    call: CallDescription,
    next: () => Promise<Stream>,
  ): Promise<Stream>;
}

/** Folds the hooks `wrap` picks onto `core`, the first middleware outermost. */
function foldMiddleware<Result>(
  middleware: readonly CallMiddleware[],
  wrap: (layer: CallMiddleware, next: () => Promise<Result>) => (() => Promise<Result>) | undefined,
  core: () => Promise<Result>,
): () => Promise<Result> {
  let next = core;
  for (let index = middleware.length - 1; index >= 0; index -= 1) {
    next = wrap(middleware[index] as CallMiddleware, next) ?? next;
  }
  return next;
}

/** Runs a call through the middleware list. */
export function runWrappedCall<Data>(
  middleware: readonly CallMiddleware[],
  call: CallDescription<Data>,
  core: () => Promise<CallOutcome<Data>>,
): Promise<CallOutcome<Data>> {
  return foldMiddleware<CallOutcome<Data>>(
    middleware,
    (layer, next) => (layer.wrapCall === undefined ? undefined : () => layer.wrapCall!(call, next)),
    core,
  )();
}

/** Opens a stream through the middleware list. */
export function runWrappedStream<Stream extends MeterableStream>(
  middleware: readonly CallMiddleware[],
  call: CallDescription,
  core: () => Promise<Stream>,
): Promise<Stream> {
  return foldMiddleware<Stream>(
    middleware,
    (layer, next) => (layer.wrapStream === undefined ? undefined : () => layer.wrapStream!(call, next)),
    core,
  )();
}
