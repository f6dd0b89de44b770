import type { Span, Tracer } from '@opentelemetry/api';
import type { TelemetryCallInfo, TelemetryCallRecord, TelemetryCallScope } from '../client/telemetry-hook.js';
import type { Money } from '../cost/money.js';
import { totalInputTokens, totalOutputTokens } from '../cost/usage.js';
import type { GenAiOperation } from './gen-ai-request.js';
import type { GenAiResponseSummary } from './gen-ai-response-reader.js';
import type { OpenTelemetryApi } from './opentelemetry-loader.js';
import {
  errorType,
  genAiSpanName,
  telemetryAttributes as names,
  responseAttributes,
  type SpanAttributes,
} from './telemetry-attributes.js';

/** What the middleware needs of a traced call to parent and number its attempts. */
export interface ActiveCall {
  readonly span: Promise<Span | undefined>;
  /** The number of the attempt being sent; a stream resume keeps the current one. */
  nextAttempt(resume: boolean): number;
  attemptEnded(summary: GenAiResponseSummary): void;
}

export type TracerSource = () => Promise<{ api: OpenTelemetryApi; tracer: Tracer }>;

function genAiOperation(sdkOperation: string): GenAiOperation {
  if (sdkOperation.startsWith('chat.')) return 'chat';
  if (sdkOperation.startsWith('completions.')) return 'text_completion';
  if (sdkOperation.startsWith('embeddings.')) return 'embeddings';
  return 'infer';
}

function usageAndCostAttributes(records: readonly TelemetryCallRecord[]): SpanAttributes {
  if (records.length === 0) return {};
  const attributes: SpanAttributes = {
    [names.inputTokens]: records.reduce((sum, record) => sum + totalInputTokens(record.usage), 0),
    [names.outputTokens]: records.reduce((sum, record) => sum + totalOutputTokens(record.usage), 0),
  };
  const costs = records.map((record) => record.cost);
  const first = costs[0];
  // An unpriced record makes the total unknown: no attribute rather than a made-up number.
  if (first && costs.every((cost) => cost !== null && cost.currency === first.currency)) {
    const total = costs.slice(1).reduce<Money>((sum, cost) => sum.plus(cost as Money), first);
    attributes[names.cost] = total.toDecimalString();
    attributes[names.costCurrency] = total.currency;
  }
  return attributes;
}

/**
 * The call spans of one telemetry instance, found by idempotency key. A call span is the
 * parent of its attempt spans and carries what only the client knows: the ledger's usage and
 * the exact cost.
 */
export class CallTelemetry {
  readonly #tracer: TracerSource;
  readonly #calls = new Map<string, ActiveCall>();

  constructor(tracer: TracerSource) {
    this.#tracer = tracer;
  }

  /** The traced call an attempt with this key belongs to, if any. */
  find(idempotencyKey: string | undefined): ActiveCall | undefined {
    return idempotencyKey === undefined ? undefined : this.#calls.get(idempotencyKey);
  }

  start(info: TelemetryCallInfo): TelemetryCallScope {
    const startTime = Date.now();
    const operation = genAiOperation(info.operation);
    const span = this.#tracer().then(
      ({ api, tracer }) =>
        tracer.startSpan(genAiSpanName(operation, info.model), {
          kind: api.SpanKind.CLIENT,
          startTime,
          attributes: {
            [names.operation]: operation,
            [names.system]: info.provider,
            [names.providerName]: info.provider,
            [names.sdkOperation]: info.operation,
            ...(info.model === undefined ? {} : { [names.requestModel]: info.model }),
          },
        }),
      // The middleware reports a missing @opentelemetry/api; the call itself goes on untraced.
      () => undefined,
    );
    let attempts = 0;
    let lastSummary: GenAiResponseSummary | undefined;
    const records: TelemetryCallRecord[] = [];
    const active: ActiveCall = {
      span,
      nextAttempt(resume) {
        if (!resume || attempts === 0) attempts += 1;
        return attempts;
      },
      attemptEnded(summary) {
        lastSummary = summary;
      },
    };
    const key = info.idempotencyKey;
    if (key !== undefined) this.#calls.set(key, active);
    let ended = false;
    return {
      recorded: (record) => {
        if (!ended) records.push(record);
      },
      end: (error) => {
        if (ended) return Promise.resolve();
        ended = true;
        const endTime = Date.now();
        if (key !== undefined && this.#calls.get(key) === active) this.#calls.delete(key);
        return Promise.all([span, this.#tracer().catch(() => undefined)]).then(([started, loaded]) => {
          if (started === undefined || loaded === undefined) return;
          const fromResponse = lastSummary === undefined ? {} : responseAttributes(lastSummary);
          started.setAttributes({
            ...fromResponse,
            ...usageAndCostAttributes(records),
            [names.attempts]: Math.max(attempts, ...records.map((record) => record.attempt)),
          });
          if (error !== undefined) {
            started.setAttribute(names.errorType, errorType(error));
            started.setStatus({
              code: loaded.api.SpanStatusCode.ERROR,
              message: error instanceof Error ? error.message : String(error),
            });
          }
          started.end(endTime);
        });
      },
    };
  }
}
