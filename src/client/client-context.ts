import type { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import type { Provider, ProviderCallOptions, ProviderResult } from '../providers/provider-types.js';
import type { SdkLogger } from '../transport/sdk-logger.js';
import { parseWire } from '../wire/validate-wire.js';
import { APIPromise } from './api-promise.js';
import type { CallRunner } from './call-runner.js';
import type { RequestOptions } from './request-options.js';

/** What resources share: the provider, the call runner and the client's defaults. */
export interface ClientContext {
  readonly provider: Provider;
  readonly runCall: CallRunner;
  readonly maxRetries: number;
  readonly logger: SdkLogger;
}

/** A provider call for one attempt. */
export type ProviderAttempt<Data> = (options: ProviderCallOptions) => Promise<ProviderResult<Data>>;

/**
 * Runs one logical call: `prepare` validates the params (before any socket is opened) and
 * returns the attempt; the call runner runs the attempts. Every failure, validation included,
 * becomes a rejection of the returned APIPromise.
 */
export function executeCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  prepare: () => ProviderAttempt<Data>,
): APIPromise<Data> {
  const result = Promise.resolve().then(() => {
    const attempt = prepare();
    return context.runCall(
      (attemptContext) =>
        attempt({
          signal: attemptContext.signal,
          timeout: options.timeout,
          headers: options.headers,
          idempotencyKey: attemptContext.idempotencyKey,
        }),
      {
        operation,
        maxRetries: options.maxRetries ?? context.maxRetries,
        signal: options.signal,
        idempotencyKey: options.idempotencyKey,
      },
    );
  });
  return new APIPromise(result);
}

/** Validates request params with their wire schema; a mismatch throws a ValidationError naming the field. */
export function validateRequest<Schema extends z.ZodType>(
  schema: Schema,
  params: unknown,
  what: string,
): z.output<Schema> {
  return parseWire(schema, params, { subject: 'request', what });
}

/** `create()` answers in one piece; `stream: true` there is a mistake worth naming. */
export function rejectStreaming<Request extends { stream?: boolean | null | undefined }>(
  request: Request,
): Request {
  if (request.stream !== true) return request;
  const message = 'create() does not stream; use chat.completions.stream()';
  throw new ValidationError(`Invalid request: stream: ${message}`, {
    issues: [{ path: 'stream', message }],
    subject: 'request',
  });
}
