/** What the server bills one attempt for; every field a non-negative integer. */
export interface MeteredUsage {
  inputTokens: number;
  outputTokens: number;
  /** Milliseconds of model compute. */
  computeMs: number;
  /** Request body bytes. */
  bytesIn: number;
  /** Response body bytes. */
  bytesOut: number;
  /** OIP input tensor elements (what the SDK's `normalizeOipUsage` counts by default). */
  tensorElements: number;
  requests: number;
}

/** The fields of the request's usage meter snapshot that billing reads (`http/usage-meter.ts`). */
export interface UsageMeterReading {
  inputTokens: number;
  outputTokens: number;
  computeMilliseconds: number;
  requestBytes: number;
  responseBytes: number;
  tensorElements: number;
}

function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0;
}

/**
 * Compute milliseconds as billed (fractions round up). Responses report this same number as
 * `compute_ms`, so a client's ledger holds exactly what the server bills.
 *
 * @example
 * billedComputeMs(context.meter.snapshot().computeMilliseconds); // 0.3 -> 1
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
export function meterUsage(reading: UsageMeterReading, requests = 1): MeteredUsage {
  return {
    inputTokens: count(reading.inputTokens),
    outputTokens: count(reading.outputTokens),
    computeMs: count(reading.computeMilliseconds),
    bytesIn: count(reading.requestBytes),
    bytesOut: count(reading.responseBytes),
    tensorElements: count(reading.tensorElements),
    requests: count(requests),
  };
}
