import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { PriceCatalog } from '../../src/cost/price-catalog.js';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import { auditBilling } from './billing-audit.js';
import { plannedBudgetLimit } from './budget-limit-plan.js';
import { executePlannedCall } from './call-executor.js';
import { planCalls } from './call-plan.js';
import { type ChaosClients, createChaosClients } from './chaos-clients.js';
import type { ChaosRunOptions } from './chaos-options.js';
import type { ChaosReport } from './chaos-report.js';
import { runPool } from './concurrency-pool.js';
import { ProcessWatch, type ProcessWatchReport, resourcesLeftOpen } from './process-watch.js';
import { checkResumedTexts } from './resumed-text-check.js';

function errorCollectingLogger(errors: string[]): ServerLogger {
  return {
    info() {},
    warn() {},
    error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/** Closes in reverse order of opening; every closer runs even if an earlier one fails. */
async function closeAll(closers: (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.reverse()) {
    await close().catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * One chaos run, in-process: a reference server with seeded chaos and a chaos-free twin (same
 * seed, same models), the planned calls made through the SDK at the given concurrency with
 * retries, server pricing, a JSON Lines ledger and a hard budget; then the checks: resumed
 * texts against the twin, the bill against the ledger, and what the process leaked. Resolves
 * with everything measured; `chaosFailures(report)` says whether the run passed.
 *
 * @example
 * const report = await runChaos({ ...defaultChaosRunOptions, calls: 200 });
 * console.log(formatChaosTable(report));
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const baseline = process.getActiveResourcesInfo();
  const watch = new ProcessWatch();
  watch.start();
  const serverErrors: string[] = [];
  const apiKey = `sk-chaos-${options.seed}-resilience`;
  const serverOptions = {
    port: 0,
    seed: options.seed,
    apiKeys: [apiKey],
    logger: errorCollectingLogger(serverErrors),
  };
  const closers: (() => Promise<unknown>)[] = [];
  let measured: Omit<ChaosReport, 'process' | 'openHandles' | 'serverErrors' | 'options' | 'closeMs'>;
  let processReport: ProcessWatchReport;
  let closeMs = 0;
  try {
    const directory = await mkdtemp(join(tmpdir(), 'aiaas-chaos-'));
    closers.push(() => rm(directory, { recursive: true, force: true }));
    const chaotic: ReferenceServer = await startReferenceServer({
      ...serverOptions,
      chaos: { rate: options.rate, seed: options.seed, kinds: options.kinds },
    });
    closers.push(() => chaotic.close());
    const calm = await startReferenceServer(serverOptions);
    closers.push(() => calm.close());

    const calls = planCalls(options.seed, options.calls);
    const pricing = await (await fetch(`${chaotic.url}/v1/pricing`)).json();
    const budgetLimit = plannedBudgetLimit(
      calls,
      PriceCatalog.fromServerPricing(pricing),
      options.budgetShare,
    );
    const ledger = new Ledger({
      store: new JsonlLedgerStore(join(directory, 'ledger.jsonl'), { fsync: false }),
    });
    closers.push(() => ledger.close());
    const clients: ChaosClients = createChaosClients({
      baseUrl: chaotic.url,
      apiKey,
      ledger,
      budget: new Budget({ limits: [{ limit: budgetLimit, mode: 'hard' }] }),
      maxRetries: options.maxRetries,
      idleTimeoutMs: options.idleTimeoutMs,
    });
    closers.push(() => clients.close());

    const started = performance.now();
    const outcomes = await runPool(calls, options.concurrency, (call) => executePlannedCall(clients, call));
    const durationMs = performance.now() - started;

    const reference = new AiaasClient({ baseURL: `${calm.url}/v1`, apiKey, logLevel: 'off' });
    closers.push(() => reference.close());
    const texts = await checkResumedTexts(outcomes, calls, reference);
    const billing = await auditBilling(chaotic.url, apiKey, () => ledger.entries());
    measured = { durationMs, outcomes, texts, billing, budgetLimit };
  } finally {
    const closingStartedAt = performance.now();
    try {
      await closeAll(closers);
    } finally {
      closeMs = performance.now() - closingStartedAt;
      // Stopped however the run ended, so a failed run does not leave its listeners behind.
      processReport = watch.stop();
    }
  }
  const openHandles = await resourcesLeftOpen(baseline);
  return { ...measured, options, process: processReport, openHandles, serverErrors, closeMs };
}
