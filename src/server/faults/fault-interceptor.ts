import { abortablePause } from '../http/abortable-pause.js';
import { HttpError } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import type { RequestHandler, RequestInterceptor } from '../http/request-pipeline.js';
import type { RouteResponse } from '../http/route-response.js';
import { bodyFingerprint } from '../idempotency/body-fingerprint.js';
import type { ChaosInjector } from './chaos-injector.js';
import type { FaultAttemptCounter } from './fault-attempt-counter.js';
import {
  activeFaults,
  emptyFaultPlan,
  type FaultDirective,
  type FaultPlan,
  faultActions,
} from './fault-directive.js';
import { FaultHeaderError, faultHeaderName, parseFaultHeader } from './fault-header-parser.js';
import { faultDirectiveText, injectedFaultHeaderName, statusFaultError } from './injected-fault.js';

export interface FaultInterceptorOptions {
  /** Shared with billing: the attempt number a record reports is the one faults counted. */
  attempts: FaultAttemptCounter;
  chaos?: ChaosInjector | undefined;
}

function headerPlan(context: RequestContext): FaultPlan {
  const header = context.header(faultHeaderName);
  if (header === undefined) return emptyFaultPlan;
  try {
    return parseFaultHeader(header);
  } catch (error) {
    if (!(error instanceof FaultHeaderError)) throw error;
    throw new HttpError(400, error.message, { param: faultHeaderName, code: 'invalid_fault_directive' });
  }
}

/**
 * What identifies a call without an Idempotency-Key across its retries: the route, the query,
 * the fault header and the body bytes (the tenant is part of the counter's entry). Headers a
 * client changes per attempt (openai-node's `x-stainless-retry-count`) are left out.
 */
async function keylessFingerprint(context: RequestContext): Promise<string> {
  const target = `${context.method} ${context.path}?${context.query.toString()} ${context.header(faultHeaderName) ?? ''}`;
  return bodyFingerprint(await context.readBody(), target);
}

async function chaosDirectives(context: RequestContext, chaos: ChaosInjector | undefined) {
  // Chaos hits model calls only: health checks, listings and usage stay dependable.
  if (chaos === undefined || context.method !== 'POST' || context.route.public) return [];
  const key = context.idempotencyKey;
  // Without a key nothing links retries, so the request itself (route and body) is the identity.
  const fingerprint =
    key === undefined ? bodyFingerprint(await context.readBody(), `${context.method} ${context.path}`) : '';
  const directive = chaos.decide(key, context.attempt, fingerprint);
  return directive === undefined ? [] : [directive];
}

/**
 * Acts out faults on demand: the `x-aiaas-fault` header's directives that apply to this
 * attempt, or else the chaos injector's decision. `times=K` counts attempts per tenant and
 * Idempotency-Key; a request without a key whose header uses `times` is counted by its
 * fingerprint (method, path, query, fault header and body, per tenant) within the counter's
 * keyless window (5 s after the last attempt by default), so clients that send no key (the
 * official openai-node client) still see `times=1` clear on their retry. `reset` answers
 * nothing, `delay_ms` waits before anything else, `status` answers an error before the route
 * runs (so nothing is billed); stream faults are left on the context for the SSE writer, which
 * acts them out on the socket only. A bad header is a 400 naming the directive. Every faulted
 * answer says what was injected in `x-aiaas-fault-injected`.
 *
 * @example
 * const interceptors = [authInterceptor(authenticator), faultInterceptor({ attempts: new FaultAttemptCounter() })];
 */
export function faultInterceptor(options: FaultInterceptorOptions): RequestInterceptor {
  const afterAttempt = (context: RequestContext, next: RequestHandler, plan: FaultPlan) => {
    const directives = activeFaults(plan, context.attempt);
    if (directives.length > 0) return actOut(context, next, directives);
    if (options.chaos === undefined) return next(context);
    return chaosDirectives(context, options.chaos).then((chaos) =>
      chaos.length === 0 ? next(context) : actOut(context, next, chaos),
    );
  };
  // Not async: a request with no fault header on a server without chaos passes straight through.
  return (context, next) => {
    // A control request (a stream cancel) must work while its call is being faulted.
    if (context.route.control === true) return next(context);
    const plan = headerPlan(context);
    const key = context.idempotencyKey;
    if (key === undefined && plan.directives.some((directive) => directive.times !== undefined)) {
      return keylessFingerprint(context).then((fingerprint) => {
        context.attempt = options.attempts.nextKeylessAttempt(context.tenant.id, fingerprint);
        return afterAttempt(context, next, plan);
      });
    }
    context.attempt = options.attempts.nextAttempt(context.tenant.id, key);
    return afterAttempt(context, next, plan);
  };
}

async function actOut(
  context: RequestContext,
  next: RequestHandler,
  directives: readonly FaultDirective[],
): Promise<RouteResponse> {
  const description = directives.map(faultDirectiveText).join(',');
  context.responseHeaders[injectedFaultHeaderName] = description;
  const actions = faultActions(directives);
  if (actions.reset) return { kind: 'reset' };
  if (actions.delayMs > 0) {
    // A slow provider has the request before it is slow: a keyed call whose client leaves during
    // the hold is still run and billed, which needs its body (OIP routes read it only later).
    if (context.method === 'POST') await context.readBody();
    await abortablePause(actions.delayMs, [context.signal, context.closing]);
  }
  if (actions.status !== undefined) throw statusFaultError(actions.status, description);
  context.streamFaults = {
    ...(actions.dropAfter === undefined ? {} : { dropAfter: actions.dropAfter }),
    ...(actions.malformedAfter === undefined ? {} : { malformedAfter: actions.malformedAfter }),
    ...(actions.stallAfter === undefined ? {} : { stallAfter: actions.stallAfter }),
    ...(actions.chunkDelayMs > 0 ? { chunkDelayMs: actions.chunkDelayMs } : {}),
  };
  return next(context);
}
