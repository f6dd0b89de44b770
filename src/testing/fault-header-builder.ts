import type { FaultKind } from '../server/faults/fault-directive.js';
import { faultHeaderName, parseFaultHeader } from '../server/faults/fault-header-parser.js';

/** One directive of the `x-aiaas-fault` header, as {@link fault} builds it. */
export interface FaultDirectiveText {
  readonly kind: FaultKind;
  /** The directive as it appears in the header, e.g. `status=429;retry_after_ms=50;times=2`. */
  readonly text: string;
}

/** Limits a directive to the first `times` attempts of one logical call (same Idempotency-Key). */
export interface FaultTimesOptions {
  times?: number | undefined;
}

/** Options of {@link fault.status}. */
export interface StatusFaultOptions extends FaultTimesOptions {
  /** Sent back as `retry-after-ms` and `retry-after` (whole seconds, rounded up). */
  retryAfterMs?: number | undefined;
  /** Sent back as `x-should-retry: true|false`. */
  shouldRetry?: boolean | undefined;
}

function directive(kind: FaultKind, head: string, parameters: [string, unknown][]): FaultDirectiveText {
  const tail = parameters
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `;${name}=${String(value)}`)
    .join('');
  return Object.freeze({ kind, text: `${head}${tail}` });
}

/**
 * Builders of `x-aiaas-fault` directives, the faults the reference server acts out on request.
 * Join them with {@link faultHeader} (or {@link faultHeaders} for a `headers` object).
 *
 * @example
 * const header = faultHeader(fault.status(429, { retryAfterMs: 50, times: 2 }), fault.delay(20));
 * // 'status=429;retry_after_ms=50;times=2, delay_ms=20'
 */
export const fault = Object.freeze({
  /** Answer with this 4xx/5xx status and an error body instead of running the request. */
  status(status: number, options: StatusFaultOptions = {}): FaultDirectiveText {
    return directive('status', `status=${status}`, [
      ['retry_after_ms', options.retryAfterMs],
      ['should_retry', options.shouldRetry],
      ['times', options.times],
    ]);
  },
  /** Destroy the socket before any response byte (a connection reset). */
  reset(options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('reset', 'reset', [['times', options.times]]);
  },
  /** Wait this many milliseconds before sending the response headers. */
  delay(milliseconds: number, options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('delay_ms', `delay_ms=${milliseconds}`, [['times', options.times]]);
  },
  /** Wait this many milliseconds between stream events. */
  chunkDelay(milliseconds: number, options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('chunk_delay_ms', `chunk_delay_ms=${milliseconds}`, [['times', options.times]]);
  },
  /** Cut the connection after this many stream events. */
  dropAfter(events: number, options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('drop_after', `drop_after=${events}`, [['times', options.times]]);
  },
  /** Send one invalid data line after this many stream events. */
  malformedAfter(events: number, options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('malformed_after', `malformed_after=${events}`, [['times', options.times]]);
  },
  /** Stop sending after this many stream events, keeping the socket open (for idle timeouts). */
  stallAfter(events: number, options: FaultTimesOptions = {}): FaultDirectiveText {
    return directive('stall_after', `stall_after=${events}`, [['times', options.times]]);
  },
});

/**
 * The value of the `x-aiaas-fault` header for these directives. It is checked with the
 * server's own parser, so a mistake (a status of 200, two delays, a negative count) throws
 * here, in the test that made it, instead of coming back as a 400 that looks like a fault.
 *
 * @example
 * await client.chat.completions.create(params, {
 *   headers: { 'x-aiaas-fault': faultHeader(fault.status(503, { times: 1 })) },
 * });
 */
export function faultHeader(...directives: readonly FaultDirectiveText[]): string {
  const value = directives.map((each) => each.text).join(', ');
  parseFaultHeader(value);
  return value;
}

/**
 * `{ 'x-aiaas-fault': faultHeader(...directives) }`, to spread into a call's `headers`.
 *
 * @example
 * await client.models.list({ headers: faultHeaders(fault.delay(100)) });
 */
export function faultHeaders(...directives: readonly FaultDirectiveText[]): Record<string, string> {
  return { [faultHeaderName]: faultHeader(...directives) };
}
