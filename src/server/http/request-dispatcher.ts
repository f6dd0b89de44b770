import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerLogger } from '../server-logger.js';
import type { BodyBufferBudget } from './body-buffer-budget.js';
import { ClientDisconnect } from './client-disconnect.js';
import { dialectOfPath } from './error-body.js';
import { HttpError } from './http-error.js';
import { randomIdSource } from './random-id-source.js';
import { RequestContext } from './request-context.js';
import { composeInterceptors, type RequestInterceptor } from './request-pipeline.js';
import { writeError, writeRouteResponse } from './response-writer.js';
import { decodePathSegments, type RouteTable } from './route-table.js';

export interface RequestDispatcherOptions {
  routes: RouteTable;
  /** Run in order around every matched route (see {@link RequestInterceptor}). */
  interceptors: readonly RequestInterceptor[];
  bodyLimitBytes: number;
  /** Bounds the bytes of request bodies buffered at once, in total and per tenant. */
  bodyBudget?: BodyBufferBudget;
  logger: ServerLogger;
  /**
   * Fires when the server starts closing: answers then ask the client to close the connection,
   * and stalls and abandoned work end.
   */
  closing: AbortSignal;
  /** How long the work of a POST with an Idempotency-Key may go on after its client left. */
  detachedWorkLimitMs?: number;
}

/** `req_` and 24 hex digits: unique enough to find one request in the logs. */
export const newRequestId = randomIdSource('req_', 12, 341);

/** The path and the raw query (parsed by the context only if a route reads it). */
function splitTarget(target: string): { path: string; queryString: string } {
  const queryStart = target.indexOf('?');
  if (queryStart === -1) return { path: target, queryString: '' };
  return { path: target.slice(0, queryStart), queryString: target.slice(queryStart + 1) };
}

/**
 * The server's one request listener: gives every request an `x-request-id`, matches the
 * route (404 unknown path, 405 with `allow` for a known path under another method), runs
 * the interceptors and the route, and writes the answer. Anything a route throws becomes
 * an error in the route's dialect; only a bug becomes a 500, and none stops the server.
 *
 * @example
 * const server = createServer(createRequestDispatcher({ routes, interceptors, bodyLimitBytes, logger, closing }));
 */
export function createRequestDispatcher(
  options: RequestDispatcherOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { routes, logger } = options;
  const handle = composeInterceptors(options.interceptors, (context) => context.route.handle(context));

  return async (request, response) => {
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const { path, queryString } = splitTarget(request.url ?? '/');
    const dialect = dialectOfPath(path);
    const startedAt = performance.now();
    response.setHeader('x-request-id', requestId);
    if (options.closing.aborted) response.setHeader('connection', 'close');

    const disconnect = new ClientDisconnect();
    let context: RequestContext | undefined;
    // One listener for both ends: 'close' always follows 'finish', and `writableFinished` says whether it came.
    response.once('close', () => {
      if (response.writableFinished) {
        logger.info('request served', {
          requestId,
          method,
          path,
          status: response.statusCode,
          milliseconds: Math.round(performance.now() - startedAt),
          tenant: context?.tenant.id,
        });
      } else disconnect.abort(new Error('The client disconnected.'));
      context?.finish({ status: response.statusCode, disconnected: disconnect.aborted });
    });

    const errorOfUnknown = (error: unknown): HttpError => {
      if (error instanceof HttpError) return error;
      // Work stopped on purpose after its client left (nobody resumed it, or the server closed):
      // an expected end, not a server failure worth a stack trace.
      if (context?.workAborted && error === context.workSignal.reason) {
        logger.info('request work stopped after its client left', {
          requestId,
          method,
          path,
          reason: error instanceof Error ? error.message : String(error),
        });
        return new HttpError(499, 'The client left before the answer was ready.', {
          code: 'client_closed_request',
        });
      }
      logger.error('request failed', {
        requestId,
        method,
        path,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      return new HttpError(500, `The server failed on this request (request id ${requestId}).`, {
        code: 'internal_error',
      });
    };

    try {
      if (!path.startsWith('/'))
        throw new HttpError(400, 'The request target must be a path.', { code: 'invalid_path' });
      const match = routes.match(method, decodePathSegments(path));
      if (match.kind === 'not-found') {
        throw new HttpError(404, `There is no endpoint ${method} ${path}.`, { code: 'unknown_route' });
      }
      if (match.kind === 'wrong-method') {
        throw new HttpError(405, `${method} is not allowed on ${path}; use ${match.allowed.join(' or ')}.`, {
          code: 'method_not_allowed',
          headers: { allow: match.allowed.join(', ') },
        });
      }
      context = new RequestContext({
        request,
        requestId,
        dialect,
        path,
        queryString,
        route: match.route,
        params: match.params,
        bodyLimitBytes: options.bodyLimitBytes,
        bodyBudget: options.bodyBudget,
        disconnect,
        closing: options.closing,
        detachedWorkLimitMs: options.detachedWorkLimitMs,
        errorOf: errorOfUnknown,
      });
      const routeResponse = await handle(context);
      await writeRouteResponse(response, routeResponse, context, errorOfUnknown);
    } catch (error) {
      const httpError = errorOfUnknown(error);
      if (response.headersSent) response.destroy();
      else if (!disconnect.aborted) {
        for (const [name, value] of Object.entries(context?.responseHeaders ?? {}))
          response.setHeader(name, value);
        writeError(response, dialect, httpError, context?.meter);
      }
    }
    if (context === undefined) return;
    // Billing and rate limits read the usage once the work ended too (a recorded generation may outlive the socket).
    if (context.settlement.hasPendingWork) await context.settlement.ended();
    context.settlement.settle({ status: response.statusCode, disconnected: disconnect.aborted });
  };
}
