/** The directive names of the `x-aiaas-fault` header, also the kinds the chaos injector picks from. */
export type FaultKind =
  | 'status'
  | 'reset'
  | 'delay_ms'
  | 'drop_after'
  | 'malformed_after'
  | 'chunk_delay_ms'
  | 'stall_after';

export const faultKinds: readonly FaultKind[] = [
  'status',
  'reset',
  'delay_ms',
  'drop_after',
  'malformed_after',
  'chunk_delay_ms',
  'stall_after',
];

interface DirectiveBase {
  /** Applies only to the first `times` attempts of one logical call; undefined means every attempt. */
  times?: number;
}

/** Answer with this status (and an error body) instead of running the request. */
export interface StatusFault extends DirectiveBase {
  kind: 'status';
  status: number;
  /** Sent as `retry-after-ms` and `retry-after` (whole seconds, rounded up). */
  retryAfterMs?: number;
  /** Sent as `x-should-retry: true|false`. */
  shouldRetry?: boolean;
}

/** Destroy the socket before any response byte. */
export interface ResetFault extends DirectiveBase {
  kind: 'reset';
}

/** Wait before sending the headers (`delay_ms`) or between stream events (`chunk_delay_ms`). */
export interface DelayFault extends DirectiveBase {
  kind: 'delay_ms' | 'chunk_delay_ms';
  milliseconds: number;
}

/**
 * After `events` stream events: cut the connection (`drop_after`), send one invalid data line
 * (`malformed_after`), or stop sending while keeping the socket open (`stall_after`).
 */
export interface StreamFault extends DirectiveBase {
  kind: 'drop_after' | 'malformed_after' | 'stall_after';
  events: number;
}

export type FaultDirective = StatusFault | ResetFault | DelayFault | StreamFault;

/** The parsed `x-aiaas-fault` header: at most one directive of each kind, in header order. */
export interface FaultPlan {
  readonly directives: readonly FaultDirective[];
}

export const emptyFaultPlan: FaultPlan = Object.freeze({ directives: Object.freeze([]) });

/**
 * The directives that apply to attempt `attemptNumber` (1-based) of a logical call: those
 * without `times`, and those whose `times` is at least the attempt number.
 *
 * @example
 * const plan = parseFaultHeader('status=429;times=2');
 * activeFaults(plan, 2).length; // 1
 * activeFaults(plan, 3).length; // 0
 */
export function activeFaults(plan: FaultPlan, attemptNumber: number): FaultDirective[] {
  return plan.directives.filter(
    (directive) => directive.times === undefined || attemptNumber <= directive.times,
  );
}

/** Every fault of one attempt as one flat object, the form a request pipeline acts on. */
export interface FaultActions {
  status?: StatusFault;
  reset: boolean;
  delayMs: number;
  chunkDelayMs: number;
  dropAfter?: number;
  malformedAfter?: number;
  stallAfter?: number;
}

/**
 * Flattens directives (from {@link activeFaults} or the chaos injector) into what to do. `reset`
 * wins over everything (no response at all), then `status` (no stream faults apply to an error
 * answer); the pipeline decides that order, this only collects.
 *
 * @example
 * faultActions(activeFaults(parseFaultHeader('delay_ms=50,drop_after=3'), 1)); // { reset: false, delayMs: 50, dropAfter: 3, ... }
 */
export function faultActions(directives: readonly FaultDirective[]): FaultActions {
  const actions: FaultActions = { reset: false, delayMs: 0, chunkDelayMs: 0 };
  for (const directive of directives) {
    switch (directive.kind) {
      case 'status':
        actions.status = directive;
        break;
      case 'reset':
        actions.reset = true;
        break;
      case 'delay_ms':
        actions.delayMs = directive.milliseconds;
        break;
      case 'chunk_delay_ms':
        actions.chunkDelayMs = directive.milliseconds;
        break;
      case 'drop_after':
        actions.dropAfter = directive.events;
        break;
      case 'malformed_after':
        actions.malformedAfter = directive.events;
        break;
      case 'stall_after':
        actions.stallAfter = directive.events;
        break;
    }
  }
  return actions;
}
