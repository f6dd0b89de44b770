import { Agent } from 'undici';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import type { Budget } from '../../src/cost/budget.js';
import type { CostBounds } from '../../src/cost/cost-bounds.js';
import type { Ledger } from '../../src/cost/ledger.js';

/**
 * True upper bounds of what the reference server bills per attempt but a client cannot know
 * before sending, so the run's hard budget reserves enough and holds.
 * - `ref-embed` (per MB out): a planned call embeds at most 3 inputs of 128 dimensions; JSON
 *   prints a float in at most 24 characters plus a comma, so ≤ 3 × 128 × 25 = 9,600 bytes of
 *   numbers plus the envelope (~100 bytes per item and ~150 for model and usage) ≈ 10 KB.
 *   Measured: the largest response in 4 seeded runs (1,500 planned calls each, 30% faults,
 *   concurrency 16) was 8,270 bytes. Declared: 16,384 (≈ 2× measured, 1.6× the analytic bound).
 * - `ref-classify` (per compute-second): the server bills its share of a batch's inference time;
 *   the largest measured in the same runs was 8 ms. Declared: 250 ms (≈ 30×), room for a loaded
 *   CI machine; a stall beyond that would be settled at its real cost and reported as overspent.
 */
export const chaosCostBounds = {
  'ref-embed': { maxOutputBytes: 16_384 },
  'ref-classify': { maxComputeMs: 250 },
} as const satisfies CostBounds;

/** The SDK side of a run: one client per dialect, sharing sockets, ledger and budget. */
export interface ChaosClients {
  /** Chat and embeddings (the OpenAI-compatible dialect). */
  readonly openai: AiaasClient;
  /** Tensor inference (Open Inference Protocol v2). */
  readonly oip: AiaasClient;
  readonly ledger: Ledger;
  readonly budget: Budget;
  /** Resolves once both clients have charged every call whose answer never came (see `client.settled()`). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface ChaosClientSettings {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly ledger: Ledger;
  readonly budget: Budget;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
}

/**
 * Builds the clients of a run. An `AiaasClient` speaks one dialect, so OIP inference needs a
 * second one; both share one undici Agent, one ledger and one hard budget, so the run still
 * spends from a single purse. Retries use the SDK's own policy and keys (one per call); only
 * the retry throttle is widened: at a 30% fault rate gRPC-style throttling would (rightly, in
 * production) stop retrying after a few failures, and this run is about what retries do.
 *
 * @example
 * const clients = createChaosClients({ baseUrl: server.url, apiKey, ledger, budget, maxRetries: 8, idleTimeoutMs: 2000 });
 */
export function createChaosClients(settings: ChaosClientSettings): ChaosClients {
  const dispatcher = new Agent({ keepAliveTimeout: 4_000 });
  const shared = {
    apiKey: settings.apiKey,
    pricing: 'server' as const,
    ledger: settings.ledger,
    budget: settings.budget,
    costBounds: chaosCostBounds,
    maxRetries: settings.maxRetries,
    timeout: 30_000,
    idleTimeout: settings.idleTimeoutMs,
    // A stream meets the same fault rate on every reconnection, so it gets as many tries as a call.
    maxResumes: settings.maxRetries,
    // Faults here are injected on purpose at a steady rate, not an outage: a throttle sized for
    // outages would (rightly) stop retrying, so this one is large enough never to run dry.
    retryThrottle: { maxTokens: 1_000_000 },
    dispatcher,
    logLevel: 'off' as const,
  };
  const openai = new AiaasClient({ ...shared, baseURL: `${settings.baseUrl}/v1`, provider: 'openai' });
  const oip = new AiaasClient({ ...shared, baseURL: settings.baseUrl, provider: 'oip' });
  return {
    openai,
    oip,
    ledger: settings.ledger,
    budget: settings.budget,
    async settled() {
      await Promise.all([openai.settled(), oip.settled()]);
    },
    async close() {
      await openai.close();
      await oip.close();
      await dispatcher.close();
    },
  };
}
