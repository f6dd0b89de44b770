import { APIError } from '../../errors/index.js';
import { serverRetryDelay } from '../../retry/retry-delay.js';
import { DEFAULT_MAX_RETRY_DELAY_MS } from '../../retry/retry-policy.js';
import { defaultReconnectDelay, type ReconnectDelay } from '../../streaming/resumable-stream.js';

/**
 * The wait before a refused stream reconnection (429, 503, a reset) is tried again: what the
 * server asked for (`retry-after-ms`, then `retry-after`, read as the retry policy reads them),
 * else the stream's short backoff. A wait longer than the limit gives the reconnection up, as the
 * retry policy gives up past `maxRetryDelay`: the stream then fails with its partial output
 * rather than hang. The limit is the stream's idle timeout when it has one (a longer silence
 * would be a stall anyway), else the retry policy's default `maxRetryDelay`.
 *
 * @example
 * const reconnectDelay = streamReconnectDelay(30_000);
 * reconnectDelay(rateLimitError, 1); // 2000 when the server sent `retry-after: 2`
 */
export function streamReconnectDelay(idleTimeout: number | undefined): ReconnectDelay {
  const limit =
    idleTimeout !== undefined && Number.isFinite(idleTimeout) && idleTimeout > 0
      ? idleTimeout
      : DEFAULT_MAX_RETRY_DELAY_MS;
  return (error, retry) => {
    const asked = error instanceof APIError ? serverRetryDelay(error.headers) : undefined;
    const wait = asked ?? defaultReconnectDelay(error, retry);
    return wait === undefined || wait > limit ? undefined : wait;
  };
}
