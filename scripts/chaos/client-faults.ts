import type { RequestOptions } from '../../src/client/request-options.js';
import { defaultChaosKinds } from '../../src/server/faults/chaos-injector.js';
import { type FaultKind, faultKinds } from '../../src/server/faults/fault-directive.js';
import { fault, faultHeaders } from '../../src/testing/fault-header-builder.js';
import type { CallKind } from './call-plan.js';

/**
 * Faults on the client's side of a call, planned per call rather than injected by the server:
 * `client_timeout` gives the call a timeout shorter than the server's answer, `client_kill` runs
 * it in a child process that is SIGKILLed while calls are in flight.
 */
export type ClientFaultKind = 'client_timeout' | 'client_kill';

export const clientFaultKinds: readonly ClientFaultKind[] = ['client_timeout', 'client_kill'];

/** A kind of a run's fault mix: one the server injects, or one the client suffers. */
export type ChaosKind = FaultKind | ClientFaultKind;

export const chaosKinds: readonly ChaosKind[] = [...faultKinds, ...clientFaultKinds];

export const defaultChaosFaultMix: readonly ChaosKind[] = [...defaultChaosKinds, ...clientFaultKinds];

export function isClientFaultKind(kind: ChaosKind): kind is ClientFaultKind {
  return (clientFaultKinds as readonly string[]).includes(kind);
}

export function serverFaultKinds(kinds: readonly ChaosKind[]): FaultKind[] {
  return kinds.filter((kind): kind is FaultKind => !isClientFaultKind(kind));
}

/** The timeout of a `client_timeout` call, per attempt. */
export const clientTimeoutMs = 200;
/**
 * How long the server holds a `client_timeout` call's answer: far past the timeout, so a loaded
 * machine still times out. The server stops waiting when the client leaves and runs the work
 * (its Idempotency-Key keeps it going), so the long hold costs no time.
 */
export const slowAnswerMs = 5_000;
/** One retry, which times out too: two attempts that may have reached the server, one bill. */
export const clientTimeoutRetries = 1;
/**
 * How long the server holds the answers of a killed client's calls in flight: longer than the
 * client's timeout, so they are still waiting when the process dies.
 */
export const inFlightHoldMs = 60_000;

/**
 * Whether a call can get this client fault. An OIP inference is never timed out: the server reads
 * its body only after a `delay_ms` pause, and a client that leaves during that pause leaves a
 * request that is never billed and a listener that never settles (`server.close()` hangs), so
 * the SDK's uncertain charge falls back to the reserved maximum. See the chaos report of issue 15.
 */
export function clientFaultFits(kind: ClientFaultKind, call: { readonly kind: CallKind }): boolean {
  return kind !== 'client_timeout' || call.kind !== 'infer';
}

/** The per-call options that act out a `client_timeout`: a short timeout against a slow answer. */
export function clientTimeoutOptions(): RequestOptions {
  return {
    timeout: clientTimeoutMs,
    maxRetries: clientTimeoutRetries,
    headers: faultHeaders(fault.delay(slowAnswerMs)),
  };
}

/**
 * The per-call options of a killed client's call that is to be in flight when the process dies:
 * the server holds its answer (the header also keeps the server's chaos off it, so it is sent
 * once). An inference gets no hold (see {@link clientFaultFits}): it is killed right after the
 * server has read its body, whether or not its answer made it back.
 */
export function inFlightOptions(call: { readonly kind: CallKind }): RequestOptions {
  return call.kind === 'infer' ? {} : { headers: faultHeaders(fault.delay(inFlightHoldMs)) };
}
