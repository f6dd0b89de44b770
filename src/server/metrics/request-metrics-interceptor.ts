import { HttpError } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import type { ServerMetrics } from './server-metrics.js';

/** Why a request failed, as a bounded label value: the server's own error codes, never client text. */
function reasonOf(error: unknown): string {
  if (error instanceof HttpError) return error.code ?? `http_${error.status}`;
  return 'internal_error';
}

/**
 * The model a request names: the OIP path parameter, or the `model` field of a JSON body
 * (read through the context's cache, so the route parses the same bytes). Only names the
 * server serves become labels: a client must not be able to create series at will.
 */
async function modelOf(context: RequestContext, isServed: (model: string) => boolean): Promise<string> {
  let model: unknown = context.params.model;
  if (model === undefined && context.method === 'POST') {
    // A body that cannot be read or parsed fails the same way in the route, which reports it.
    const body = await context.readJson().catch(() => undefined);
    model = (body as { model?: unknown } | undefined)?.model;
  }
  return typeof model === 'string' && isServed(model) ? model : '';
}

/** The reason of a request no error was caught for. */
function settledReason(status: number, disconnected: boolean, workFailed: boolean): string {
  if (workFailed) return 'generation_failed';
  if (disconnected) return 'client_disconnected';
  return status < 400 ? 'ok' : `http_${status}`;
}

/** Passes a stream's events through, noting the error that ends it early. */
async function* watchedEvents(events: AsyncIterable<string>, onError: (error: unknown) => void) {
  try {
    yield* events;
  } catch (error) {
    onError(error);
    throw error;
  }
}

/**
 * Counts every request that reaches it in `aiaas_requests_total{model,status,reason}` once
 * it is settled: `reason` is `ok`, the error code a route or a later interceptor threw
 * (`rate_limit_exceeded`, `model_not_found`…), the code of an error that ended a stream
 * after its headers (`generation_failed` when it is not known), or `client_disconnected`.
 * It sits after authentication, so it never reads the body of an unauthenticated request.
 *
 * @example
 * const interceptors = [authInterceptor(authenticator), requestMetricsInterceptor(metrics, (name) => registry.get(name) !== undefined)];
 */
export function requestMetricsInterceptor(
  metrics: ServerMetrics,
  isServed: (model: string) => boolean,
): RequestInterceptor {
  return async (context, next) => {
    const model = await modelOf(context, isServed);
    let failure: string | undefined;
    // Settled: the answer is written and any work behind it (a stream's generation) has ended.
    context.settlement.onSettled(({ response, work }) => {
      const { status } = response;
      const reason = failure ?? settledReason(status, response.disconnected, work === 'failed');
      // The model that ran, when one did: an Ollama tag (`ref-chat:latest`) counts as the model it names.
      const ran = context.model !== undefined && isServed(context.model) ? context.model : model;
      metrics.recordRequest({ model: ran, status, reason });
    });
    try {
      const response = await next(context);
      if (response.kind !== 'event-stream') return response;
      const events = watchedEvents(response.events, (error) => {
        failure = reasonOf(error);
      });
      return { ...response, events };
    } catch (error) {
      failure = reasonOf(error);
      throw error;
    }
  };
}
