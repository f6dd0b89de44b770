import { join } from 'node:path';
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import type { PriceCatalog } from '../../src/cost/price-catalog.js';
import { SqliteBudgetStore } from '../../src/cost/sqlite-budget-store.js';
import { plannedBudgetLimit } from './budget-limit-plan.js';
import type { CallOutcome } from './call-outcome.js';
import type { PlannedCall } from './call-plan.js';
import type { KilledClientsReport } from './chaos-report.js';
import { recoverKilledClients } from './killed-client-recovery.js';
import { runKilledClients } from './killed-clients.js';
import { RequestArrivals } from './request-arrivals.js';

/**
 * The killed processes' lease: short, so their reservations lapse soon after they die, yet twice
 * the shortest allowed, so a live process on a loaded machine renews in time.
 */
const killedClientLeaseMs = 2_000;

export interface KilledClientPhaseSettings {
  readonly baseUrl: string;
  /** The killed clients' own tenant, so their bill is theirs alone and recovery reads no one else's. */
  readonly apiKey: string;
  readonly seed: number;
  readonly calls: readonly PlannedCall[];
  readonly catalog: PriceCatalog;
  readonly directory: string;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
}

/** The phase's stores, open until the run closes them (its closers). */
export interface KilledClientPhase {
  /** The ledger the killed processes shared, with what recovery added. */
  readonly ledger: Ledger;
  /** Runs the processes, kills them and recovers their spend. */
  run(): Promise<{ outcomes: readonly CallOutcome[]; report: KilledClientsReport }>;
  readonly closers: (() => Promise<unknown>)[];
}

/**
 * Sets up the `client_kill` calls: a SQLite budget (made here, before any process opens it) and a
 * JSON Lines ledger the processes share, and a Budget over them for the recovery that follows —
 * what the application would open on restart. The budget's limit is twice the calls' quoted
 * maximum, so it never refuses: this phase is about what a crash leaves, not about refusals.
 *
 * @example
 * const phase = await prepareKilledClients({ baseUrl, apiKey, seed, calls, catalog, directory, maxRetries, idleTimeoutMs });
 * const { outcomes, report } = await phase.run();
 */
export async function prepareKilledClients(settings: KilledClientPhaseSettings): Promise<KilledClientPhase> {
  const killedCalls = settings.calls.filter((call) => call.clientFault === 'client_kill');
  const budgetPath = join(settings.directory, 'killed-clients-budget.db');
  const ledgerPath = join(settings.directory, 'killed-clients-ledger.jsonl');
  const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath, { fsync: false }) });
  const budget = new Budget({
    limits: [],
    store: await SqliteBudgetStore.open(budgetPath),
    ledger,
    leaseMs: killedClientLeaseMs,
  });
  const arrivals = new RequestArrivals();
  const limit = plannedBudgetLimit(killedCalls, settings.catalog, 2);
  return {
    ledger,
    closers: [() => ledger.close(), () => budget.close()],
    async run() {
      arrivals.start();
      try {
        const run = await runKilledClients(
          killedCalls,
          settings.calls,
          {
            url: settings.baseUrl,
            apiKey: settings.apiKey,
            seed: settings.seed,
            callCount: settings.calls.length,
            budgetPath,
            ledgerPath,
            leaseMs: killedClientLeaseMs,
            limit: limit.toDecimalString(),
            maxRetries: settings.maxRetries,
            idleTimeoutMs: settings.idleTimeoutMs,
          },
          arrivals,
        );
        const recovery = await recoverKilledClients(run, { ...settings, ledger, budget });
        const errors = [...run.errors, ...recovery.errors];
        return { outcomes: run.outcomes, report: { processes: run.processes, recovery, errors } };
      } finally {
        arrivals.stop();
      }
    },
  };
}
