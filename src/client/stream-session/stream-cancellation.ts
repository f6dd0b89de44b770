import { ValidationError } from '../../errors/index.js';
import type { RetryPolicy } from '../../retry/retry-policy.js';
import type { HttpTransport } from '../../transport/http-transport.js';
import type { ServerUsageRecord } from '../../wire/aiaas/server-usage-schemas.js';
import { parseStreamCancellation } from '../../wire/aiaas/stream-cancellation-schemas.js';
import type { CallRunner } from '../call-runner.js';

/** The response header by which aiaas/server advertises that a keyed stream can be cancelled, and where. */
export const streamCancelHeader = 'x-aiaas-stream-cancel';

/** The most a cancellation may take in all: it is bookkeeping, and the stream's ending waits for it. */
const maxCancelMilliseconds = 10_000;

/** What a cancellation needs from the client (a {@link ClientContext} fits). */
export interface StreamCancellationContext {
  readonly transport: HttpTransport;
  readonly runCall: CallRunner;
  readonly provider: { readonly baseURL: string };
  readonly defaults: { readonly timeout: number; readonly retryPolicy: RetryPolicy };
}

/**
 * Stops a stream on the server that advertised how (`x-aiaas-stream-cancel`) and reads back what
 * it billed for it, so that an aborted or broken stream is recorded at the server's exact usage
 * instead of an estimate. Built once per stream from its opening response's headers; a stream
 * whose provider sent no advert (OpenAI, Ollama) gets none and is never cancelled.
 *
 * @example
 * const cancellation = StreamCancellation.advertised(context, response.headers, idempotencyKey, options.headers);
 * const record = await cancellation?.cancel(source.lastEventId); // the stream's billing record
 */
export class StreamCancellation {
  readonly #context: StreamCancellationContext;
  readonly #url: string;
  readonly #idempotencyKey: string;
  readonly #authorization: string | undefined;

  private constructor(
    context: StreamCancellationContext,
    url: string,
    idempotencyKey: string,
    authorization: string | undefined,
  ) {
    this.#context = context;
    this.#url = url;
    this.#idempotencyKey = idempotencyKey;
    this.#authorization = authorization;
  }

  /**
   * The cancellation a stream's opening response advertised, or undefined: no advert, no key to
   * name the stream by, or an advert that points at another origin (the client's credentials
   * never leave the origin it was configured for).
   */
  static advertised(
    context: StreamCancellationContext,
    headers: Readonly<Record<string, string>>,
    idempotencyKey: string | undefined,
    callHeaders: Readonly<Record<string, string>> | undefined,
  ): StreamCancellation | undefined {
    const advert = headers[streamCancelHeader];
    if (advert === undefined || advert.trim() === '' || idempotencyKey === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(advert.trim(), context.provider.baseURL);
    } catch {
      return undefined;
    }
    if (url.origin !== new URL(context.provider.baseURL).origin) return undefined;
    // A call that overrode the client's key (another tenant) must cancel as that tenant.
    const authorization = Object.entries(callHeaders ?? {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    return new StreamCancellation(context, url.href, idempotencyKey, authorization);
  }

  /**
   * Stops the stream and resolves with its billing record once the server has billed it. Sent
   * through the client's transport (dispatcher, default headers, redaction, middleware) but not
   * under the caller's signal: the caller stopped the stream, the cancellation only settles its
   * accounts. Rejects on a network error, an error status (404 when the server holds no such
   * stream) or a body that does not validate.
   */
  async cancel(lastEventId: string | undefined): Promise<ServerUsageRecord> {
    const { transport, runCall, defaults } = this.#context;
    const limit =
      defaults.timeout > 0 ? Math.min(defaults.timeout, maxCancelMilliseconds) : maxCancelMilliseconds;
    const headers: Record<string, string> = { 'idempotency-key': this.#idempotencyKey };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    // One retry at most, by the client's policy (a 503, a reset) and under its shared retry
    // throttle: cancelling is idempotent on the server (same key, same record), and one retry
    // rides out a blip without letting many aborted streams turn a failing server into a storm.
    // The deadline bounds both attempts together; a failure falls back to the estimate.
    const { data, response } = await runCall(
      (attempt) =>
        transport.requestJson(
          { method: 'POST', url: this.#url, headers, body: {} },
          { signal: attempt.signal, timeout: attempt.timeout },
        ),
      {
        operation: 'streams.cancel',
        maxRetries: 1,
        timeout: limit,
        deadline: limit,
        policy: defaults.retryPolicy,
        onRetry: undefined,
        signal: undefined,
        idempotencyKey: this.#idempotencyKey,
      },
    );
    const cancellation = parseStreamCancellation(data, response.requestId);
    const { record } = cancellation;
    if (
      cancellation.idempotency_key !== this.#idempotencyKey ||
      record.idempotency_key !== this.#idempotencyKey
    ) {
      throw new ValidationError(
        `The stream cancellation answered for key ${JSON.stringify(record.idempotency_key)}, not the stream's.`,
        {
          issues: [{ path: 'record.idempotency_key', message: 'not the cancelled stream' }],
          subject: 'response',
          requestId: response.requestId,
        },
      );
    }
    return record;
  }
}
