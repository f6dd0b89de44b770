import type { Usage } from '../cost/usage.js';
import { ResponseTooLargeError } from '../errors/index.js';
import type { Provider, ProviderCallOptions, ProviderResult } from '../providers/provider-types.js';
import { resolveIdempotencyKey } from '../retry/idempotency-key.js';
import type { RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { TelemetryMiddleware } from '../telemetry/telemetry-hook.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';
import { APIPromise, type WithResponse } from './api-promise.js';
import type { CallCostMeter } from './call-cost-meter.js';
import type { CallAttempt, CallRunner, CallRunOptions } from './call-runner.js';
import type { CallMetering, CostAccounting } from './cost-accounting.js';
import { checkCallOptions } from './option-rules.js';
import { oversizedResponseUsage } from './oversized-response-usage.js';
import type { RequestOptions } from './request-options.js';
import { invalidRequest } from './request-validation.js';
import { ProviderReach, type UncertainCharges } from './uncertain-charge.js';

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

/** What resources share: the provider, the call runner, the cost layer and the client's defaults. */
export interface ClientContext {
  readonly provider: Provider;
  /** The client's own transport, for requests outside a provider's operations (a stream's cancellation). */
  readonly transport: HttpTransport;
  readonly runCall: CallRunner;
  readonly defaults: CallDefaults;
  readonly costs: CostAccounting;
  /** Calls that failed after their request may have reached the provider, until their charge is known. */
  readonly uncertainCharges: UncertainCharges;
  readonly logger: SdkLogger;
  /** Opens the span of each metered call (its attempt spans come from the same middleware). */
  readonly telemetry: TelemetryMiddleware | undefined;
}

/** A provider call for one attempt. */
export type ProviderAttempt<Data> = (options: ProviderCallOptions) => Promise<ProviderResult<Data>>;

/** A call that may cost money: how to send it, what it is, and how to read its usage. */
export interface MeteredAttempt<Data> {
  readonly send: ProviderAttempt<Data>;
  readonly metering: CallMetering;
  /** The usage buckets of a successful attempt. */
  usage(result: ProviderResult<Data>): Usage;
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

/**
 * An answer past `maxResponseBytes` was still produced and billed: its attempt keeps a ledger
 * entry (`error`, estimated usage). A failure to record it is logged; the call's own error wins.
 */
async function recordOversizedResponse(
  context: ClientContext,
  meter: CallCostMeter,
  metering: CallMetering,
  error: ResponseTooLargeError,
  attempt: number,
): Promise<void> {
  try {
    await meter.record({
      attempt,
      requestId: error.requestId,
      usage: oversizedResponseUsage(error, metering.estimate()),
      status: 'error',
    });
  } catch (recordError) {
    context.logger.error('Recording the cost of an oversized response failed', {
      requestId: error.requestId,
      ...errorFields(recordError),
    });
  }
}

/**
 * Runs one logical call: `prepare` validates the params (before any socket is opened) and
 * returns the attempt, metered when the call may cost money. The cost layer checks the price
 * and reserves the budget first; the call runner runs the attempts; the successful attempt's
 * usage is recorded and priced. Every failure becomes a rejection of the returned APIPromise.
 */
export function executeCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  prepare: () => ProviderAttempt<Data> | MeteredAttempt<Data>,
): APIPromise<Data> {
  return new APIPromise(runExecutedCall(context, operation, options, prepare));
}

// One async function for the whole call (its first await is the request itself on the common
// path): a sync throw from `prepare` still becomes a rejection, with no extra promise hops.
async function runExecutedCall<Data>(
  context: ClientContext,
  operation: string,
  options: RequestOptions,
  prepare: () => ProviderAttempt<Data> | MeteredAttempt<Data>,
): Promise<WithResponse<Data>> {
  checkCallOptions(options);
  const prepared = prepare();
  const call: MeteredAttempt<Data> | { send: ProviderAttempt<Data>; metering?: undefined } =
    typeof prepared === 'function' ? { send: prepared } : prepared;
  const idempotencyKey = callIdempotencyKey(options);
  // Only calls that may cost money get a call span: it exists to carry the ledger's usage and cost.
  const scope =
    call.metering === undefined
      ? undefined
      : context.telemetry?.startCall({
          operation,
          model: call.metering.model,
          provider: context.provider.name,
          idempotencyKey,
        });
  let meter: CallCostMeter | undefined;
  let attempts = 0;
  // Only a metered call needs to know whether a failed attempt may have been billed.
  const reach = call.metering === undefined ? undefined : new ProviderReach();
  let failure: { error: unknown } | undefined;
  try {
    if (call.metering !== undefined) {
      const costCall = { idempotencyKey, tags: options.tags };
      // No budget and no pricing to load: no promise to wait on.
      meter =
        context.costs.beginNow(call.metering, costCall) ??
        (await context.costs.begin(call.metering, costCall));
    }
    const outcome = await context.runCall(
      (attempt) => {
        attempts = attempt.attempt;
        const providerOptions = providerOptionsFor(context, options, attempt);
        const sent = call.send(providerOptions);
        return reach === undefined ? sent : sent.catch((error: unknown) => noteAndThrow(reach, error));
      },
      runOptionsFor(context, operation, options, idempotencyKey),
    );
    if (meter === undefined || call.metering === undefined) {
      return { ...outcome, usage: null, cost: null, attempts };
    }
    const usage = call.usage(outcome);
    const recorded = meter.recordNow({
      attempt: attempts,
      requestId: outcome.response.requestId,
      usage,
      status: 'ok',
    });
    const cost = recorded instanceof Promise ? await recorded : recorded;
    scope?.recorded({ attempt: attempts, usage, cost, status: 'ok' });
    void scope?.end();
    return { data: outcome.data, response: outcome.response, usage, cost, attempts };
  } catch (error) {
    if (meter !== undefined && call.metering !== undefined && error instanceof ResponseTooLargeError) {
      await recordOversizedResponse(context, meter, call.metering, error, attempts);
    }
    void scope?.end(error);
    failure = { error };
    throw error;
  } finally {
    const { metering } = call;
    if (meter !== undefined && failure !== undefined && reach !== undefined && metering !== undefined) {
      // Held, not released, when the request may have been billed (see UncertainCharges).
      await context.uncertainCharges.finishFailed(
        {
          meter,
          idempotencyKey,
          estimate: () => metering.estimate(),
          headers: options.headers,
          error: failure.error,
        },
        reach,
      );
    } else if (meter?.holdsReservation) {
      // Without a reservation there is nothing to settle: no await (a microtask per call).
      await meter.finish();
    }
  }
}

function noteAndThrow(reach: ProviderReach, error: unknown): never {
  reach.note(error);
  throw error;
}
