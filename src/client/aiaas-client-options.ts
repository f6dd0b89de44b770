import type { Dispatcher } from 'undici';
import type { Budget } from '../cost/budget.js';
import type { CostBounds } from '../cost/cost-bounds.js';
import type { Ledger } from '../cost/ledger.js';
import type { PriceCatalog } from '../cost/price-catalog.js';
import type { ProviderName } from '../providers/provider-types.js';
import type { RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { RetryThrottleOptions } from '../retry/retry-throttle.js';
import type { LogArgumentOrder, Logger, LogLevel } from '../transport/sdk-logger.js';
import type { Middleware } from '../transport/transport-types.js';
import type { TelemetryMiddleware } from './telemetry-hook.js';

/**
 * Options of {@link AiaasClient}. Every option is checked when the client is made: one it
 * cannot use throws an `InvalidOptionError` (code `invalid_option`) naming the option, what was
 * given and what is allowed, and so does a key that is not an option (`baseUrl`).
 *
 * @example
 * new AiaasClient({ provider: 'oip', baseURL: 'http://localhost:8000', apiKey: 'sk-test', timeout: 5_000 });
 */
export interface AiaasClientOptions {
  /** Defaults to `AIAAS_BASE_URL`, then the provider's default (OpenAI's API, Ollama on 127.0.0.1:11434); oip has none. */
  baseURL?: string | undefined;
  /**
   * Sent as `Authorization: Bearer`. Defaults to `AIAAS_API_KEY` (and `OPENAI_API_KEY` for openai).
   * The openai provider requires a key unless the base URL is on this machine (localhost,
   * 127.0.0.0/8, ::1); pass `null` for a remote server that needs none. oip and ollama never require one.
   */
  apiKey?: string | null | undefined;
  /** The wire dialect; `openai` by default. */
  provider?: ProviderName | undefined;
  /** Milliseconds per attempt (headers and body; headers only for streams). Default 600000. */
  timeout?: number | undefined;
  /**
   * Milliseconds for a whole call across attempts and the waits between them; no wait that would
   * pass it is started, and each attempt's timeout is cut to what is left. For a stream it covers
   * opening it up to the first event; `idleTimeout` guards the rest. No deadline by default.
   */
  deadline?: number | undefined;
  /** Retries of retryable failures (connection, timeout, 408/409/429/5xx). Default 2. */
  maxRetries?: number | undefined;
  /** Decides what is retried and how long to wait; `defaultRetryPolicy()` unless replaced. */
  retryPolicy?: RetryPolicy | undefined;
  /** Called before each retry with the error, the attempt that failed and the wait. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** The retry token bucket shared by the client's calls to one origin (the AWS SDK's standard mode: 500 tokens, 5 a retry, 10 after a timeout). */
  retryThrottle?: RetryThrottleOptions | undefined;
  /** The header that carries each call's idempotency key. Default `Idempotency-Key`. */
  idempotencyHeader?: string | undefined;
  /**
   * Streams: milliseconds from the request to the first data event; a stall before it is
   * retried. Default 60000 (60 s), unless only `idleTimeout` is given, which then bounds the
   * first wait as well. `0` or `Infinity` turns it off.
   */
  firstTokenTimeout?: number | undefined;
  /**
   * Streams: milliseconds allowed between data events (comments and keep-alives do not count);
   * a stall mid-stream is resumed, else fails. Default 300000 (5 min); `0` or `Infinity` turns it off.
   */
  idleTimeout?: number | undefined;
  /** Streams: reconnections allowed after a break (resumed with `Last-Event-ID`). Default 3. */
  maxResumes?: number | undefined;
  /**
   * The most bytes read from one response: a JSON body (a declared `content-length` over it
   * fails before reading), an error body, or a stream's bodies together, every resume included
   * (so the text a stream accumulates is bounded too). Past it the connection is closed and the
   * call fails with a `ResponseTooLargeError`; a stream's ledger entry is still written, and a
   * JSON call's records what was exchanged, `estimated`. Default 268435456 (256 MiB); at most
   * about 512 MiB (V8's longest string). Per call too.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Prices every call: a {@link PriceCatalog}, or `'server'` to load the provider's `GET /v1/pricing`
   * (aiaas/server) once, on the first call that needs it. Without pricing, usage is recorded with
   * `cost: null`, never a made-up zero.
   */
  pricing?: PriceCatalog | 'server' | undefined;
  /**
   * How long, in ms, a call that failed after its request may have reached the provider (a
   * timeout, a reset, an abort) waits in the background for the provider's billing record
   * (aiaas/server's `GET /v1/usage`, read when `pricing` is `'server'`) before it is charged its
   * reserved maximum. Its reservation stays held meanwhile; `client.settled()` and `close()` wait
   * for it. Default 10,000.
   */
  uncertainChargeWaitMs?: number | undefined;
  /** Where each attempt that may cost money is recorded. Default: an in-memory ledger (`client.ledger`). */
  ledger?: Ledger | undefined;
  /** Spending limits checked before any byte is sent (needs `pricing`). Exposed as `client.budget`. */
  budget?: Budget | undefined;
  /**
   * Declared ceilings, per model name or glob, of what a call's cost depends on but the client
   * cannot know before sending: response bytes (`maxOutputBytes`, billed by `perMegabyteOut`),
   * compute time (`maxComputeMs`, billed by `perComputeSecond`), and request bytes where the
   * client cannot count them exactly (`maxInputBytes`, billed by `perMegabyteIn`; chat and
   * completions, ollama embeddings — openai-dialect embeddings and OIP inference count them). A budgeted call reserves its
   * quote's max including these. Under a HARD budget limit, a call to a model whose card bills
   * such a quantity with no bound declared is refused before sending (`AiaasError`, code
   * `unbounded_cost`): a hard limit fails closed. Each bound must be a true upper bound per attempt.
   *
   * @example
   * costBounds: { 'ref-embed': { maxOutputBytes: 2_000_000 }, 'ref-classify': { maxComputeMs: 5_000, maxOutputBytes: 4_096 } }
   */
  costBounds?: CostBounds | undefined;
  /** Default ledger tags of every call (budget scopes `tag:<key>=<value>`); a call's own `tags` win. */
  tags?: Readonly<Record<string, string>> | undefined;
  /** The id of the API key paying (never the key): recorded in the ledger, budget scope `key:<id>`. */
  apiKeyId?: string | undefined;
  defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** An undici Dispatcher (Agent, ProxyAgent, MockAgent, one with interceptors); the client then owns no sockets. */
  dispatcher?: Dispatcher | undefined;
  /** Sockets per origin of the client's own keep-alive Agent (ignored with `dispatcher`). */
  connections?: number | undefined;
  /**
   * Console-like logger: `console` (the default), pino, winston, bunyan… Each line is a message
   * plus structured fields (`status`, `requestId`, `attempt`, `method`, `url`, `durationMs`, …).
   * Credentials are redacted from both before it sees anything.
   *
   * @example
   * new AiaasClient({ logger: pino(), logLevel: 'info' }); // pino gets info({ status, attempt, … }, message)
   */
  logger?: Logger | undefined;
  /**
   * How `logger` takes the fields: `'message-first'` (`info(message, fields)`: console, winston) or
   * `'fields-first'` (`info(fields, message)`: pino, bunyan). Default: `'fields-first'` for a
   * pino logger, recognised by pino's own marker, and `'message-first'` for anything else.
   */
  logArgumentOrder?: LogArgumentOrder | undefined;
  /** Defaults to `AIAAS_LOG`, then `warn`. */
  logLevel?: LogLevel | undefined;
  /** Wrap every HTTP attempt; the first is the outermost. */
  middleware?: readonly Middleware[] | undefined;
  /**
   * Tracing from `aiaas/telemetry` (`createTelemetryMiddleware()`): a span per metered call,
   * carrying the ledger's usage and exact cost, parenting a span per HTTP attempt. It runs
   * outside every `middleware`, so their work is inside the attempt spans.
   */
  telemetry?: TelemetryMiddleware | undefined;
}
