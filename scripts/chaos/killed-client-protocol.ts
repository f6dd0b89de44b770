import type { CallOutcome } from './call-outcome.js';

/** What a killed client process is told to do (its one argument, as JSON). */
export interface KilledClientAssignment {
  readonly url: string;
  readonly apiKey: string;
  /** The run's seed and call count: the process plans the same calls as its parent. */
  readonly seed: number;
  readonly callCount: number;
  /** Indices of the calls it finishes first. */
  readonly finished: readonly number[];
  /** Indices of the calls in flight when it is killed. */
  readonly inFlight: readonly number[];
  readonly budgetPath: string;
  readonly ledgerPath: string;
  readonly leaseMs: number;
  /** The shared budget's hard limit, a decimal string in USD. */
  readonly limit: string;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
}

/** One line a killed client process prints: its finished calls' outcomes, then the keys it left in flight. */
export type KilledClientMessage =
  | { readonly finished: readonly CallOutcome[] }
  | { readonly inFlight: readonly string[] };
