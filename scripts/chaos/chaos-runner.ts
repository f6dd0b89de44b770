import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import type { LedgerEntry } from '../../src/cost/ledger-entry.js';
import { PriceCatalog } from '../../src/cost/price-catalog.js';
import { USAGE_BUCKETS } from '../../src/cost/usage.js';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import { auditBilling } from './billing-audit.js';
import { plannedBudgetLimit } from './budget-limit-plan.js';
import { executePlannedCall } from './call-executor.js';
import type { CallOutcome } from './call-outcome.js';
import { planCalls } from './call-plan.js';
import { type ChaosClients, createChaosClients } from './chaos-clients.js';
import type { ChaosRunOptions } from './chaos-options.js';
import type { ChaosReport, TimeoutCharges } from './chaos-report.js';
import { isClientFaultKind, serverFaultKinds } from './client-faults.js';
import { runPool } from './concurrency-pool.js';
import { prepareKilledClients } from './killed-client-phase.js';
import { ProcessWatch, type ProcessWatchReport, resourcesLeftOpen } from './process-watch.js';
import { checkResumedTexts } from './resumed-text-check.js';

/** How the failed `client_timeout` calls were charged: from the server's record, or at their reserved maximum. */
function timeoutChargesOf(outcomes: readonly CallOutcome[], entries: readonly LedgerEntry[]): TimeoutCharges {
  const timedOut = new Set(
    outcomes
      .filter((outcome) => outcome.clientFault === 'client_timeout' && !outcome.succeeded)
      .map((outcome) => outcome.idempotencyKey),
  );
  const estimated = new Set<string>();
  const recorded = new Set<string>();
  for (const entry of entries) {
    if (entry.idempotencyKey === null || !timedOut.has(entry.idempotencyKey)) continue;
    recorded.add(entry.idempotencyKey);
    if (USAGE_BUCKETS.some((bucket) => entry.usage[bucket].provenance === 'estimated')) {
      estimated.add(entry.idempotencyKey);
    }
  }
  return { fromRecord: recorded.size - estimated.size, atMaximum: estimated.size };
}

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
 * One chaos run: a reference server with seeded chaos and a chaos-free twin (same seed, same
 * models), the planned calls made through the SDK at the given concurrency with retries, server
 * pricing, a JSON Lines ledger and a hard budget (`client_timeout` calls with a timeout shorter
 * than the server's answer); beside them, the `client_kill` calls in child processes under a
 * tenant of their own, SIGKILLed mid-call and recovered from the server's billing. Then the
 * checks: resumed texts against the twin, every bill against every ledger once the uncertain
 * charges are settled, and what the process leaked. Resolves with everything measured;
 * `chaosFailures(report)` says whether the run passed.
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
  const killedApiKey = `sk-chaos-${options.seed}-killed-clients`;
  const serverOptions = {
    port: 0,
    seed: options.seed,
    apiKeys: [apiKey, killedApiKey],
    logger: errorCollectingLogger(serverErrors),
  };
  const closers: (() => Promise<unknown>)[] = [];
  let measured: Omit<ChaosReport, 'process' | 'openHandles' | 'serverErrors' | 'options' | 'closeMs'>;
  let processReport: ProcessWatchReport;
  let closeMs = 0;
  try {
    const directory = await mkdtemp(join(tmpdir(), 'aiaas-chaos-'));
    closers.push(() => rm(directory, { recursive: true, force: true }));
    const serverKinds = serverFaultKinds(options.kinds);
    const chaotic: ReferenceServer = await startReferenceServer({
      ...serverOptions,
      ...(serverKinds.length === 0
        ? {}
        : { chaos: { rate: options.rate, seed: options.seed, kinds: serverKinds } }),
    });
    closers.push(() => chaotic.close());
    const calm = await startReferenceServer(serverOptions);
    closers.push(() => calm.close());

    const calls = planCalls(options.seed, options.calls, {
      kinds: options.kinds.filter(isClientFaultKind),
      sharePerKind: options.rate / options.kinds.length,
    });
    const ownCalls = calls.filter((call) => call.clientFault !== 'client_kill');
    const catalog = PriceCatalog.fromServerPricing(await (await fetch(`${chaotic.url}/v1/pricing`)).json());
    const budgetLimit = plannedBudgetLimit(ownCalls, catalog, options.budgetShare);
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
    const killedPhase = await prepareKilledClients({
      baseUrl: chaotic.url,
      apiKey: killedApiKey,
      seed: options.seed,
      calls,
      catalog,
      directory,
      maxRetries: options.maxRetries,
      idleTimeoutMs: options.idleTimeoutMs,
    });
    closers.push(...killedPhase.closers);

    const started = performance.now();
    // The killed clients run beside the run's own calls, so they die while the server is busy.
    const [ownOutcomes, killed] = await Promise.all([
      runPool(ownCalls, options.concurrency, (call) => executePlannedCall(clients, call)),
      ownCalls.length === calls.length ? undefined : killedPhase.run(),
    ]);
    // Calls that timed out are charged in the background: the bill is read once they are.
    await clients.settled();
    const durationMs = performance.now() - started;
    const outcomes = [...ownOutcomes, ...(killed?.outcomes ?? [])].sort(
      (left, right) => left.index - right.index,
    );

    const reference = new AiaasClient({ baseURL: `${calm.url}/v1`, apiKey, logLevel: 'off' });
    closers.push(() => reference.close());
    const texts = await checkResumedTexts(outcomes, calls, reference);
    const ownEntries = () => ledger.entries();
    const billing = await auditBilling(chaotic.url, [apiKey, killedApiKey], async () => [
      ...(await ownEntries()),
      ...(await killedPhase.ledger.entries()),
    ]);
    measured = {
      durationMs,
      outcomes,
      texts,
      billing,
      budgetLimit,
      budgetSpent: (await ledger.total()).USD,
      timeoutCharges: timeoutChargesOf(outcomes, await ownEntries()),
      killedClients: killed?.report,
    };
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
