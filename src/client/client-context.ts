import {
  type CallDescription,
  type CallMetering,
  type CallMiddleware,
  CallProgress,
  type MeterableStream,
  runWrappedCall,
  runWrappedStream,
} from '../metering/call-middleware.js';
import type { CostAccounting } from '../metering/cost-accounting.js';
import type { Provider, ProviderCallOptions, ProviderResult } from '../providers/provider-types.js';
import { resolveIdempotencyKey } from '../retry/idempotency-key.js';
import type { RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { HttpTransport } from '../transport/http-transport.js';
import type { SdkLogger } from '../transport/sdk-logger.js';
import { APIPromise, type WithResponse } from './api-promise.js';
import type { CallAttempt, CallRunner, CallRunOptions } from './call-runner.js';
import { checkCallOptions } from './option-rules.js';
import type { RequestOptions } from './request-options.js';
import { invalidRequest } from './request-validation.js';

/** The client's settings every call starts from; a call's own options override them. */
export interface CallDefaults {
  readonly maxRetries: number;
  readonly timeout: number;
  readonly deadline: number | undefined;
  readonly retryPolicy: RetryPolicy;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly idempotencyHeader: string | undefined;
  readonly firstTokenTimeout: number | undefined;
  readonly idleTimeout: number | undefined;
  readonly maxResumes: number | undefined;
}

/** What resources share: the provider, the call runner, the middleware and the client's defaults. */
export interface ClientContext {
  readonly provider: Provider;
  /** The client's own transport, for requests outside a provider's operations (a stream's cancellation). */
  readonly transport: HttpTransport;
  readonly runCall: CallRunner;
  readonly defaults: CallDefaults;
  /** Pricing, ledger and budget: what quotes read. */
  readonly costs: CostAccounting;
  /** Around every call and stream, the first outermost: telemetry (when set), then metering. */
  readonly middleware: readonly CallMiddleware[];
  readonly logger: SdkLogger;
}

/** A provider call for one attempt. */
export type ProviderAttempt<Data> = (options: ProviderCallOptions) => Promise<ProviderResult<Data>>;

/** A call that may cost money: how to send it, and what the metering needs to know of it. */
export interface MeteredAttempt<Data> {
  readonly send: ProviderAttempt<Data>;
  readonly metering: CallMetering<Data>;
}

/** The call's idempotency key: the caller's, else one UUID v4 for the whole logical call. */
export function callIdempotencyKey(options: RequestOptions): string | undefined {
  if (options.idempotencyKey !== undefined && options.idempotencyKey.trim() === '') {
    throw invalidRequest('idempotencyKey', 'an idempotency key must not be empty');
  }
  // Keys are generated for every call: providers send them only on POST, where they matter.
  return resolveIdempotencyKey('POST', options.idempotencyKey);
}

/** The client's and the call's retry settings, merged (the client's `onRetry` runs first, then the call's). */
export function runOptionsFor(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  idempotencyKey: string | undefined,
): CallRunOptions {
  const { defaults } = context;
  const clientHook = defaults.onRetry;
  const callHook = options.onRetry;
  return {
    operation,
    maxRetries: options.maxRetries ?? defaults.maxRetries,
    timeout: options.timeout ?? defaults.timeout,
    deadline: options.deadline ?? defaults.deadline,
    policy: options.retryPolicy ?? defaults.retryPolicy,
    onRetry:
      clientHook === undefined || callHook === undefined
        ? (clientHook ?? callHook)
        : (event) => {
            clientHook(event);
            callHook(event);
          },
    signal: options.signal,
    idempotencyKey,
  };
}

/** What one attempt hands the provider. */
export function providerOptionsFor(
  context: ClientContext,
  options: RequestOptions,
  attempt: CallAttempt,
): ProviderCallOptions {
  return {
    // Only a signal that can fire: without one the transport skips its abort plumbing.
    signal: 'cancelSignal' in attempt ? attempt.cancelSignal : attempt.signal,
    timeout: attempt.timeout,
    headers: options.headers,
    idempotencyKey: attempt.idempotencyKey,
    idempotencyHeader: context.defaults.idempotencyHeader,
    maxResponseBytes: options.maxResponseBytes,
  };
}

/** The description every middleware sees: fixed before the first attempt. */
function describeCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  metering: CallMetering<Data> | undefined,
): CallDescription<Data> {
  return {
    operation,
    provider: context.provider.name,
    idempotencyKey: callIdempotencyKey(options),
    metering,
    tags: options.tags,
    headers: options.headers,
    progress: new CallProgress(),
  };
}

/**
 * Runs one logical call: `prepare` validates the params (before any socket is opened) and
 * returns how to send an attempt, and how to meter it when the call may cost money. The call
 * goes through the client's middleware (telemetry, then metering), then the call runner runs
 * its attempts. Every failure becomes a rejection of the returned APIPromise.
 */
export function executeCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  prepare: () => ProviderAttempt<Data> | MeteredAttempt<Data>,
): APIPromise<Data> {
  return new APIPromise(runExecutedCall(context, operation, options, prepare));
}

// An async function, so a sync throw from `prepare` or the option checks is a rejection too.
async function runExecutedCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  prepare: () => ProviderAttempt<Data> | MeteredAttempt<Data>,
): Promise<WithResponse<Data>> {
  checkCallOptions(options);
  const prepared = prepare();
  const { send, metering } =
    typeof prepared === 'function' ? { send: prepared, metering: undefined } : prepared;
  const call = describeCall(context, operation, options, metering);
  const { progress } = call;
  return runWrappedCall(context.middleware, call, async () => {
    const { data, response } = await context.runCall(
      (attempt) => {
        progress.attempts = attempt.attempt;
        return send(providerOptionsFor(context, options, attempt)).catch((error: unknown) => {
          progress.noteFailure(error);
          throw error;
        });
      },
      runOptionsFor(context, operation, options, call.idempotencyKey),
    );
    return { data, response, usage: null, cost: null, attempts: progress.attempts };
  });
}

/**
 * Opens one logical stream through the client's middleware: `open` runs its attempts (see
 * stream-session/stream-opener.ts) and returns the stream, which metering settles when it ends.
 */
export function openWrappedStream<Stream extends MeterableStream>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  metering: CallMetering,
  open: (call: CallDescription) => Promise<Stream>,
): Promise<Stream> {
  checkCallOptions(options);
  const call = describeCall(context, operation, options, metering);
  return runWrappedStream(context.middleware, call, () => open(call));
}
