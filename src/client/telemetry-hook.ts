import type { LedgerStatus } from '../cost/ledger-entry.js';
import type { Money } from '../cost/money.js';
import type { Usage } from '../cost/usage.js';
import type { Middleware } from '../transport/transport-types.js';

// The integration point between the client and telemetry. Plain types with no OpenTelemetry
// in them, so the client can accept a telemetry object without its declarations depending on
// the optional @opentelemetry/api package.

/** What the client tells telemetry when a logical call starts. */
export interface TelemetryCallInfo {
  /** The SDK method, e.g. `chat.completions.create`, `chat.completions.stream`, `inference.infer`. */
  readonly operation: string;
  readonly model: string | undefined;
  /** `gen_ai.system`: the provider dialect (`openai`, `ollama`, `oip`). */
  readonly provider: string;
  /** The key every attempt of the call sends: how the attempt spans find their call span. */
  readonly idempotencyKey: string | undefined;
}

/** One ledger record of the call (an attempt that may have cost money). */
export interface TelemetryCallRecord {
  readonly attempt: number;
  readonly usage: Usage;
  readonly cost: Money | null;
  readonly status: LedgerStatus;
}

/** A traced logical call: report its ledger records, then end it once. */
export interface TelemetryCallScope {
  recorded(record: TelemetryCallRecord): void;
  /**
   * The call is over: resolved (no argument) or failed with `error`. Later calls are ignored.
   * Resolves once the span has ended; the client need not wait for it.
   */
  end(error?: unknown): Promise<void>;
}

/**
 * A middleware that traces every model run (chat, completion, embedding, OIP infer) as a
 * GenAI client span per HTTP attempt. `startCall` is the client's hook for the span of the
 * whole logical call, which parents the attempt spans and carries the ledger's usage and cost.
 */
export interface TelemetryMiddleware extends Middleware {
  /** Starts the span of one logical call; its attempts find it by idempotency key. */
  startCall(info: TelemetryCallInfo): TelemetryCallScope;
}
