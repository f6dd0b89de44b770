import type { RequestContext } from './request-context.js';
import type { RouteResponse } from './route-response.js';

export type RequestHandler = (context: RequestContext) => Promise<RouteResponse>;

/**
 * A step around every matched request. It may answer by itself (a 401, a 429, a replayed
 * response), call `next` and look at or wrap the answer (billing, resumable streams), or
 * throw an `HttpError`. Authentication, metrics, faults, rate limits, idempotency, billing
 * and stream recording all live here (see `pipeline/`), without touching any route.
 *
 * @example
 * const timing: RequestInterceptor = async (context, next) => {
 *   const response = await next(context);
 *   return { ...response, headers: { ...response.headers, 'x-elapsed-ms': String(Date.now() - context.receivedAt) } };
 * };
 */
export type RequestInterceptor = (context: RequestContext, next: RequestHandler) => Promise<RouteResponse>;

/** Runs `interceptors` in order around `handler`: the first one is the outermost. */
export function composeInterceptors(
  interceptors: readonly RequestInterceptor[],
  handler: RequestHandler,
): RequestHandler {
  return interceptors.reduceRight<RequestHandler>(
    (next, interceptor) => (context) => interceptor(context, next),
    handler,
  );
}
