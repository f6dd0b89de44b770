import type { Span, Tracer } from '@opentelemetry/api';
import { sdkVersion } from '../client/sdk-version.js';
import type { TelemetryCallInfo, TelemetryMiddleware } from '../client/telemetry-hook.js';
import type { Middleware, TransportRequest, TransportResponse } from '../transport/transport-types.js';
import { AttemptCounter } from './attempt-counter.js';
import { CallTelemetry } from './call-telemetry.js';
import { describeGenAiRequest, type GenAiRequest } from './gen-ai-request.js';
import { GenAiResponseReader, type GenAiResponseSummary } from './gen-ai-response-reader.js';
import { loadOpenTelemetry, type OpenTelemetryApi } from './opentelemetry-loader.js';
import {
  errorType,
  genAiSpanName,
  telemetryAttributes as names,
  responseAttributes,
  type SpanAttributes,
} from './telemetry-attributes.js';
import type { TelemetryTracer } from './telemetry-tracer.js';

/** Options of {@link createTelemetryMiddleware}. */
export interface TelemetryOptions {
  /** Where spans go; by default the global tracer provider's tracer named `aiaas`. */
  tracer?: TelemetryTracer | undefined;
  /** The header that carries each call's idempotency key, if the client renamed it. Default `idempotency-key`. */
  idempotencyHeader?: string | undefined;
}

function serverAttributes(url: string): SpanAttributes {
  const parsed = new URL(url);
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { [names.serverAddress]: parsed.hostname, [names.serverPort]: port };
}

function failSpan(api: OpenTelemetryApi, span: Span, error: unknown): void {
  span.setAttribute(names.errorType, errorType(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: api.SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** Passes the body through unchanged, reading usage as it goes; ends the span when the body ends. */
async function* observedBody(
  body: AsyncIterable<Uint8Array>,
  reader: GenAiResponseReader,
  finish: (summary: GenAiResponseSummary, outcome: { error?: unknown; cancelled: boolean }) => void,
): AsyncGenerator<Uint8Array> {
  let completed = false;
  let failure: unknown;
  try {
    for await (const chunk of body) {
      reader.push(chunk);
      yield chunk;
    }
    completed = true;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    const summary = reader.summary();
    finish(summary, { error: failure, cancelled: !completed && !reader.terminal && failure === undefined });
  }
}

/**
 * OpenTelemetry tracing for aiaas, following the GenAI semantic conventions: one CLIENT span
 * per attempt (`gen_ai.system`, `gen_ai.request.model`, `gen_ai.usage.input_tokens`,
 * `gen_ai.usage.output_tokens`, `gen_ai.response.finish_reasons`, `aiaas.attempt`, ...), read
 * from the wire as the body streams by. `@opentelemetry/api` is an optional peer dependency,
 * imported on the first traced request; requests that run no model pass through untouched.
 *
 * @example
 * import { createTelemetryMiddleware } from 'aiaas/telemetry';
 * const telemetry = createTelemetryMiddleware({ tracer: trace.getTracer('my-app') });
 * // As `telemetry` (not in `middleware`), the client also opens one span per call with its cost.
 * const client = new AiaasClient({ baseURL, apiKey, telemetry });
 */
export function createTelemetryMiddleware(options: TelemetryOptions = {}): TelemetryMiddleware {
  let tracing: Promise<{ api: OpenTelemetryApi; tracer: Tracer }> | undefined;
  const tracerSource = () => {
    tracing ??= loadOpenTelemetry().then((api) => ({
      api,
      tracer: (options.tracer as Tracer | undefined) ?? api.trace.getTracer('aiaas', sdkVersion),
    }));
    tracing.catch(() => {
      tracing = undefined;
    });
    return tracing;
  };
  const calls = new CallTelemetry(tracerSource);
  const counter = new AttemptCounter();
  const keyHeader = (options.idempotencyHeader ?? 'idempotency-key').toLowerCase();

  const traced = async (
    request: TransportRequest,
    described: GenAiRequest,
    next: (request: TransportRequest) => Promise<TransportResponse>,
  ): Promise<TransportResponse> => {
    const { api, tracer } = await tracerSource();
    const key = request.headers[keyHeader];
    const resumeFrom = request.headers['last-event-id'];
    const call = calls.find(key);
    const attempt = call
      ? call.nextAttempt(resumeFrom !== undefined)
      : counter.next(key, resumeFrom !== undefined);
    const parentSpan = call === undefined ? undefined : await call.span;
    const parent =
      parentSpan === undefined ? api.context.active() : api.trace.setSpan(api.context.active(), parentSpan);
    const span = tracer.startSpan(
      genAiSpanName(described.operation, described.model),
      {
        kind: api.SpanKind.CLIENT,
        attributes: {
          [names.operation]: described.operation,
          [names.system]: described.system,
          [names.providerName]: described.system,
          ...(described.model === undefined ? {} : { [names.requestModel]: described.model }),
          ...described.attributes,
          ...serverAttributes(request.url),
          [names.attempt]: attempt,
          ...(resumeFrom === undefined ? {} : { [names.resumeFrom]: resumeFrom }),
        },
      },
      parent,
    );
    let response: TransportResponse;
    try {
      response = await next(request);
    } catch (error) {
      failSpan(api, span, error);
      span.end();
      throw error;
    }
    span.setAttribute(names.statusCode, response.status);
    if (response.status >= 300) {
      // The transport turns this into an APIError; the span records the status it came from.
      span.setAttribute(names.errorType, String(response.status));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
      span.end();
      return response;
    }
    const reader = new GenAiResponseReader(described.format);
    const body = observedBody(response.body, reader, (summary, outcome) => {
      span.setAttributes(responseAttributes(summary));
      call?.attemptEnded(summary);
      if (outcome.cancelled) span.setAttribute(names.cancelled, true);
      if (outcome.error !== undefined) failSpan(api, span, outcome.error);
      span.end();
    });
    return { ...response, body };
  };

  const middleware: Middleware = (next) => (request) => {
    const described = describeGenAiRequest(request);
    return described === undefined ? next(request) : traced(request, described, next);
  };
  return Object.assign(middleware, { startCall: (info: TelemetryCallInfo) => calls.start(info) });
}
