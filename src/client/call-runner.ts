import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, AiaasError, APIError } from '../errors/index.js';
import type { SdkLogger } from '../transport/sdk-logger.js';

/** What one attempt of a logical call gets (the same shape the retry layer's `runWithRetry` passes). */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** One key per logical call, the same on every attempt, sent as `Idempotency-Key`. */
  idempotencyKey: string | undefined;
  signal: AbortSignal | undefined;
}

export interface CallRunOptions {
  operation: string;
  maxRetries: number;
  signal?: AbortSignal | undefined;
  idempotencyKey?: string | undefined;
}

/** Runs the attempts of one call. */
export type CallRunner = <Result>(
  attempt: (context: AttemptContext) => Promise<Result>,
  options: CallRunOptions,
) => Promise<Result>;

function backoffMilliseconds(attempt: number, error: unknown): number {
  const retryAfter = error instanceof APIError ? Number(error.headers['retry-after-ms']) : Number.NaN;
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && retryAfter <= 60_000) return retryAfter;
  return Math.min(8_000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.25);
}

/**
 * THE place where a call's attempts run. Today: up to `maxRetries` plain retries of retryable
 * errors with exponential backoff. The retry layer (`src/retry/`, `runWithRetry`) replaces this
 * function wholesale; resources and providers only see `AttemptContext`.
 */
export function createSimpleCallRunner(logger: SdkLogger): CallRunner {
  return async (attempt, options) => {
    const idempotencyKey = options.idempotencyKey ?? `aiaas-${randomUUID()}`;
    for (let number = 1; ; number++) {
      if (options.signal?.aborted) throw new AbortError(`${options.operation} was aborted by the caller.`);
      try {
        return await attempt({ attempt: number, idempotencyKey, signal: options.signal });
      } catch (error) {
        const retryable = AiaasError.isInstance(error) && error.retryable;
        if (!retryable || number > options.maxRetries || options.signal?.aborted) {
          logger.debug(`${options.operation} failed after ${number} attempt(s)`, {
            error: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
        const delay = backoffMilliseconds(number, error);
        logger.info(`${options.operation} attempt ${number} failed; retrying in ${Math.round(delay)} ms`, {
          error: (error as Error).message,
        });
        await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
          throw new AbortError(`${options.operation} was aborted by the caller.`);
        });
      }
    }
  };
}
