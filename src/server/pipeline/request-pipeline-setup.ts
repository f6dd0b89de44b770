import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { authInterceptor } from '../auth/auth-interceptor.js';
import { billingInterceptor } from '../billing/billing-interceptor.js';
import { BillingLedger } from '../billing/billing-ledger.js';
import { deploymentBilling } from '../billing/deployment-billing.js';
import { pricingRoute } from '../billing/pricing-route.js';
import { RateCard } from '../billing/rate-card.js';
import type { TrainingBilling } from '../billing/training-billing.js';
import { trainingBilling } from '../billing/training-billing.js';
import { usageRoute } from '../billing/usage-route.js';
import { ChaosInjector } from '../faults/chaos-injector.js';
import { FaultAttemptCounter } from '../faults/fault-attempt-counter.js';
import { faultInterceptor } from '../faults/fault-interceptor.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import type { Route } from '../http/route-table.js';
import { idempotencyInterceptor } from '../idempotency/idempotency-interceptor.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { requestMetricsInterceptor } from '../metrics/request-metrics-interceptor.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { DeploymentBilling } from '../models/deployment/deployed-time.js';
import { rateLimitInterceptor } from '../rate-limit/rate-limit-interceptor.js';
import { TokenBucketRateLimiter } from '../rate-limit/token-bucket-rate-limiter.js';
import type { ServerLogger } from '../server-logger.js';
import { streamCancelRoute } from '../streams/stream-cancel-route.js';
import { streamRecordingInterceptor } from '../streams/stream-recording-interceptor.js';
import { defaultResumeWindowMs, StreamRecordingRegistry } from '../streams/stream-recording-registry.js';
import { StreamReplayStore } from '../streams/stream-replay-store.js';
import type { RequestPipelineOptions } from './request-pipeline-options.js';

export interface RequestPipelineContext {
  /** The server's seed: the chaos seed when the chaos options name none. */
  seed: number;
  /** Every served model; each must be priced by the rate card. */
  servedModels: () => readonly string[];
  /** Whether a model is served now (deployed models come and go): only those become metric labels. */
  isServed: (model: string) => boolean;
  logger: ServerLogger;
  authenticator: ApiKeyAuthenticator;
  metrics: ServerMetrics;
  /** Bills time-based charges (deployed models) up to now before a tenant's usage is listed. */
  accrueUsage?: (tenant: string) => void;
}

/** The request-level features of the server, ready to plug into the dispatcher. */
export interface RequestPipeline {
  /** Every interceptor, in the order they run (see {@link createRequestPipeline}). */
  interceptors: RequestInterceptor[];
  /** `GET /v1/pricing`, `GET /v1/usage` and `POST /v1/streams/cancel`. */
  routes: Route[];
  detachedWorkLimitMs: number | undefined;
  /** Prices and records deployed models' READY time in the same ledger. */
  deploymentBilling: DeploymentBilling;
  /** Prices and records fine-tuning jobs' training in the same ledger. */
  trainingBilling: TrainingBilling;
  /** Closes the billing file; call once no request is in flight. */
  close(): void;
}

function loadRateCard(option: RequestPipelineOptions['rateCard']): RateCard {
  if (option === undefined) return RateCard.default();
  return typeof option === 'string'
    ? RateCard.fromFile(option)
    : RateCard.fromObject(option, 'rateCard option');
}

function checkEveryModelPriced(card: RateCard, models: readonly string[]): void {
  const unpriced = models.filter((model) => !card.prices(model));
  if (unpriced.length > 0) {
    throw new RangeError(
      `The rate card does not price the served model(s) ${unpriced.join(', ')}; add them or a default_model.`,
    );
  }
}

/**
 * Builds billing (rate card, ledger), rate limits, idempotency with resumable streams, and
 * fault injection from the server options. One `FaultAttemptCounter` is shared, so the
 * attempt a billing record names is the one `times=K` and chaos counted.
 *
 * @example
 * const pipeline = createRequestPipeline(options, { seed: 42, servedModels, isServed, logger, authenticator, metrics });
 * const interceptors = [authInterceptor(authenticator), ...pipeline.interceptors];
 */
export function createRequestPipeline(
  options: RequestPipelineOptions,
  context: RequestPipelineContext,
): RequestPipeline {
  const detached = options.detachedWorkLimitMs;
  if (detached !== undefined && (!Number.isSafeInteger(detached) || detached < 1)) {
    throw new RangeError(`detachedWorkLimitMs must be a positive integer, got ${detached}.`);
  }
  const resumeWindowMs = options.resumeWindowMs ?? defaultResumeWindowMs;
  if (!Number.isSafeInteger(resumeWindowMs) || resumeWindowMs < 1) {
    throw new RangeError(`resumeWindowMs must be a positive integer, got ${resumeWindowMs}.`);
  }
  const card = loadRateCard(options.rateCard);
  checkEveryModelPriced(card, context.servedModels());
  const chaos =
    options.chaos === undefined || options.chaos.rate === 0
      ? undefined
      : new ChaosInjector({
          rate: options.chaos.rate,
          seed: options.chaos.seed ?? context.seed,
          ...(options.chaos.kinds === undefined ? {} : { kinds: options.chaos.kinds }),
        });
  const limits = options.rateLimits ?? {};
  const limited = limits.requestsPerMinute !== undefined || limits.tokensPerMinute !== undefined;
  const idempotency = options.idempotency ?? {};
  const recordings = new StreamRecordingRegistry(
    new StreamReplayStore({ maxBytesPerStream: 4 * 1024 * 1024, ...options.streamReplay }),
    resumeWindowMs,
  );
  const store = new IdempotencyStore({
    ttlMs: idempotency.ttlMs ?? 24 * 60 * 60_000,
    maxEntries: idempotency.maxEntries ?? 10_000,
    maxBytes: idempotency.maxBytes ?? 64 * 1024 * 1024,
  });
  const ledger = new BillingLedger({
    ...(options.billingFile === undefined ? {} : { filePath: options.billingFile }),
    onWarning: (message) => context.logger.warn(message),
  });
  // THE order of the server's features around every route; each wraps all that follow it.
  const interceptors: RequestInterceptor[] = [
    // Who asks: everything below is per tenant, and a request with no valid key costs nothing.
    authInterceptor(context.authenticator),
    // Outside the rest, so every answer is counted, refusals from below included.
    requestMetricsInterceptor(context.metrics, context.isServed),
    // Before limits and storage: an injected 429 or reset looks exactly like a real one, and
    // `times=K` counts every attempt, stored replays included.
    faultInterceptor({ attempts: new FaultAttemptCounter(), chaos }),
    // Refuses before any work and before an answer could be stored for the key.
    ...(limited ? [rateLimitInterceptor(new TokenBucketRateLimiter(limits))] : []),
    // A repeated key gets the stored answer (or waits for the first): nothing below runs twice.
    idempotencyInterceptor(store, recordings),
    // Inside idempotency, so a replayed or resumed answer is never billed again.
    billingInterceptor({ ledger, card, logger: context.logger }),
    // Next to the route: its event stream is recorded, and the socket follows the recording.
    streamRecordingInterceptor(recordings),
  ];
  return {
    interceptors,
    routes: [
      pricingRoute(card, context.servedModels),
      usageRoute(ledger, context.accrueUsage),
      streamCancelRoute(recordings, ledger),
    ],
    detachedWorkLimitMs: options.detachedWorkLimitMs,
    deploymentBilling: deploymentBilling(ledger, card, context.logger),
    trainingBilling: trainingBilling(ledger, card, context.logger),
    close: () => ledger.close(),
  };
}
