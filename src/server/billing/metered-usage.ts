import type { BilledUsage } from '../../wire/aiaas/billed-usage.js';
import type { UsageSnapshot } from '../http/usage-meter.js';

function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0;
}

/**
 * Compute milliseconds as billed (fractions round up). Responses report this same number as
 * `compute_ms`, so a client's ledger holds exactly what the server bills.
 *
 * @example
 * billedComputeMs(context.meter.snapshot().computeMs); // 0.3 -> 1
 */
export function billedComputeMs(milliseconds: number): number {
  return count(milliseconds);
}

/**
 * Turns what the request's meter measured into billable integers. Fractions round up (0.3 ms of
 * compute bills 1 ms): the work was done, and billing counts whole units.
 *
 * @example
 * meterUsage(context.meter.snapshot()); // { inputTokens: 12, ..., computeMs: 31, requests: 1 }
 */
export function meterUsage(reading: UsageSnapshot, requests = 1): BilledUsage {
  return {
    inputTokens: count(reading.inputTokens),
    outputTokens: count(reading.outputTokens),
    computeMs: count(reading.computeMs),
    bytesIn: count(reading.bytesIn),
    bytesOut: count(reading.bytesOut),
    tensorElements: count(reading.tensorElements),
    requests: count(requests),
    deployedSeconds: 0,
    trainedExamples: 0,
  };
}
