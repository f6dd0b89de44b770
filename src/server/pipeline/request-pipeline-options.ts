import type { RateCardJson } from '../billing/rate-card.js';
import type { FaultKind } from '../faults/fault-directive.js';

/** Per-tenant limits (each API key has its own buckets); a limit left out is not enforced. */
export interface RateLimitOptions {
  requestsPerMinute?: number;
  /** Input plus output tokens; a request reserves an estimate up front and settles the real count. */
  tokensPerMinute?: number;
}

/** Server-wide fault injection, reproducible from the seed at any concurrency. */
export interface ChaosOptions {
  /** Share of attempts of POST requests that get a fault, 0 to 1. */
  rate: number;
  /** Default: the server's `seed`. */
  seed?: number;
  /** Default: `status` (429 or 503), `reset`, `drop_after`, `malformed_after`, `stall_after`. */
  kinds?: readonly FaultKind[];
}

export interface IdempotencyOptions {
  /** How long a completed answer is replayed. Default 24 hours. */
  ttlMs?: number;
  /** Most answers kept. Default 10,000. */
  maxEntries?: number;
  /** Most bytes of answers kept. Default 64 MiB. */
  maxBytes?: number;
}

export interface StreamReplayOptions {
  /** Most events held per stream; a resume from before them is refused with 410. Default 10,000. */
  maxEventsPerStream?: number;
  /** Most bytes held per stream. Default 4 MiB. */
  maxBytesPerStream?: number;
  /** Most streams held. Default 1,000. */
  maxStreams?: number;
  /** Most bytes held over all streams. Default 64 MiB. */
  maxBytes?: number;
  /** A stream is forgotten this long after it was last written or read. Default 10 minutes. */
  ttlMs?: number;
}

/**
 * The options of the request pipeline: billing, rate limits, idempotency, resumable streams
 * and fault injection. Part of `ReferenceServerOptions`.
 *
 * @example
 * const options: RequestPipelineOptions = {
 *   rateCard: './rates.json', billingFile: './billing.jsonl',
 *   rateLimits: { requestsPerMinute: 600 }, chaos: { rate: 0.1, seed: 7 },
 * };
 */
export interface RequestPipelineOptions {
  /** A rate card object or the path of a JSON file; default: the built-in card. Every served model must be priced. */
  rateCard?: RateCardJson | string;
  /** An append-only JSON Lines file of billing records: usage totals survive a restart. Default: memory only. */
  billingFile?: string;
  rateLimits?: RateLimitOptions;
  chaos?: ChaosOptions;
  idempotency?: IdempotencyOptions;
  streamReplay?: StreamReplayOptions;
  /**
   * How long the work of a POST with an Idempotency-Key (a generation recorded for resumption,
   * an answer kept for replay) goes on after its client left. Default 30 s.
   */
  detachedWorkLimitMs?: number;
  /**
   * How long a recorded stream (a streaming POST with an Idempotency-Key) goes on generating
   * once no socket follows it: a `Last-Event-ID` resume within it continues the stream; after
   * it the generation stops, as on `POST /v1/streams/cancel`, billed for what it generated.
   * Default 30 s.
   */
  resumeWindowMs?: number;
}
