import { HttpError } from '../http/http-error.js';
import type { FaultDirective, StatusFault } from './fault-directive.js';

/** The response header that says which faults were injected into an answer, e.g. `drop_after=3`. */
export const injectedFaultHeaderName = 'x-aiaas-fault-injected';

/**
 * A directive in the `x-aiaas-fault` syntax, without `times` (it describes one attempt).
 *
 * @example
 * faultDirectiveText({ kind: 'status', status: 429, retryAfterMs: 50 }); // 'status=429;retry_after_ms=50'
 */
export function faultDirectiveText(directive: FaultDirective): string {
  switch (directive.kind) {
    case 'status': {
      let text = `status=${directive.status}`;
      if (directive.retryAfterMs !== undefined) text += `;retry_after_ms=${directive.retryAfterMs}`;
      if (directive.shouldRetry !== undefined) text += `;should_retry=${directive.shouldRetry}`;
      return text;
    }
    case 'reset':
      return 'reset';
    case 'delay_ms':
    case 'chunk_delay_ms':
      return `${directive.kind}=${directive.milliseconds}`;
    case 'drop_after':
    case 'malformed_after':
    case 'stall_after':
      return `${directive.kind}=${directive.events}`;
  }
}

/**
 * The error answer of a `status` fault: the status, `retry-after-ms` and `retry-after`
 * (whole seconds, rounded up) when asked, `x-should-retry` when asked, and code
 * `injected_fault` so nobody mistakes it for a real failure when reading logs.
 *
 * @example
 * throw statusFaultError({ kind: 'status', status: 503 }, 'status=503');
 */
export function statusFaultError(fault: StatusFault, description: string): HttpError {
  const headers: Record<string, string> = { [injectedFaultHeaderName]: description };
  if (fault.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(fault.retryAfterMs);
    headers['retry-after'] = String(Math.ceil(fault.retryAfterMs / 1000));
  }
  if (fault.shouldRetry !== undefined) headers['x-should-retry'] = String(fault.shouldRetry);
  return new HttpError(fault.status, `Injected fault (${description}): the server answers ${fault.status}.`, {
    code: 'injected_fault',
    headers,
  });
}
