import type { BilledUsage } from '../../wire/aiaas/billed-usage.js';

/**
 * What one request consumed, measured by the server itself, in the billed buckets:
 * - `computeMs`: milliseconds spent inside model runs on behalf of this request;
 * - `bytesIn`: the request body as read (a `Last-Event-ID` resume is a replay and is not billed again);
 * - `bytesOut`: the response body as written: a JSON body's bytes, or for a stream its SSE event
 *   frames (`id: n`, `data: …`, blank line), each event once however many sockets carried it.
 *   HTTP framing (headers, chunked encoding) is not counted. The SDK counts the same bytes on its
 *   side (`BodyByteCount`, `StreamBodyBytes`), so the two reconcile exactly;
 * - `tensorElements`: input tensor elements of OIP inference (what the SDK counts by default).
 */
export type UsageSnapshot = Omit<BilledUsage, 'requests' | 'deployedSeconds' | 'trainedExamples'>;

/**
 * Accumulates a request's usage as it is served: routes add tokens (output tokens one by
 * one as they are sampled) and compute time, the body reader and the response writers (or
 * a stream's recorder) add bytes. Billing reads the snapshot once the request settled.
 *
 * @example
 * const meter = new UsageMeter();
 * meter.addTokens({ input: 12, output: 30 });
 * meter.snapshot().outputTokens; // 30
 */
export class UsageMeter {
  #usage: UsageSnapshot = {
    inputTokens: 0,
    outputTokens: 0,
    computeMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    tensorElements: 0,
  };

  addTokens(tokens: { input?: number; output?: number }): void {
    this.#usage.inputTokens += tokens.input ?? 0;
    this.#usage.outputTokens += tokens.output ?? 0;
  }

  addComputeMs(milliseconds: number): void {
    this.#usage.computeMs += milliseconds;
  }

  addBytesIn(bytes: number): void {
    this.#usage.bytesIn += bytes;
  }

  addBytesOut(bytes: number): void {
    this.#usage.bytesOut += bytes;
  }

  addTensorElements(elements: number): void {
    this.#usage.tensorElements += elements;
  }

  snapshot(): UsageSnapshot {
    return { ...this.#usage };
  }
}
