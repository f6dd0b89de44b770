import type { Money } from '../../src/cost/money.js';
import type { BillingAudit } from './billing-audit.js';
import type { CallOutcome } from './call-outcome.js';
import type { ChaosRunOptions } from './chaos-options.js';
import type { KilledClientsRecovery } from './killed-client-recovery.js';
import type { ProcessWatchReport } from './process-watch.js';
import type { ResumedTextCheck } from './resumed-text-check.js';

/** Everything a chaos run measured. */
export interface ChaosReport {
  readonly options: ChaosRunOptions;
  readonly durationMs: number;
  readonly outcomes: readonly CallOutcome[];
  readonly texts: ResumedTextCheck;
  /** Every ledger (the run's client and the killed clients' shared one) against every tenant's bill. */
  readonly billing: BillingAudit;
  readonly budgetLimit: Money;
  /** What the run's own client spent against `budgetLimit` (the killed clients have a budget of their own). */
  readonly budgetSpent: Money | undefined;
  /** How the `client_timeout` calls that failed were charged. */
  readonly timeoutCharges: TimeoutCharges;
  /** The `client_kill` processes and the recovery of their spend; undefined when none ran. */
  readonly killedClients: KilledClientsReport | undefined;
  readonly process: ProcessWatchReport;
  /** Resource kinds still active after the clients and servers closed. */
  readonly openHandles: readonly string[];
  /** Lines the servers logged at error level (a request listener that failed, a lost billing record). */
  readonly serverErrors: readonly string[];
  /** Milliseconds closing the clients and servers took: a socket left hanging shows up here first. */
  readonly closeMs: number;
}

/** How the calls whose client timed out were charged, once `client.settled()` resolved. */
export interface TimeoutCharges {
  /** From the server's billing record (`GET /v1/usage?idempotency_key=`): `reported`. */
  readonly fromRecord: number;
  /** At the reserved maximum, with no record found: `estimated`. */
  readonly atMaximum: number;
}

/** The killed client processes of a run. */
export interface KilledClientsReport {
  readonly processes: number;
  readonly recovery: KilledClientsRecovery;
  /** A process that ended on its own or too early, calls the server never billed, leases that never lapsed. */
  readonly errors: readonly string[];
}

/** Counts of the outcomes, as the table shows them. */
export interface OutcomeTally {
  readonly calls: number;
  readonly succeeded: number;
  /** Error class (with code) to count, most frequent first. */
  readonly failedByClass: readonly [string, number][];
  readonly untyped: readonly CallOutcome[];
  readonly attempts: number;
  readonly streams: number;
  /** Streams their reader left early on purpose. */
  readonly abandonedStreams: number;
  readonly resumedStreams: number;
  readonly resumes: number;
  /** Calls given a timeout shorter than the server's answer, and those that ended in `TimeoutError`. */
  readonly clientTimeouts: number;
  readonly timedOut: number;
  /** Calls made in client processes that were SIGKILLed, and those in flight at the kill. */
  readonly killedClientCalls: number;
  readonly killedInFlight: number;
}

export function tallyOutcomes(outcomes: readonly CallOutcome[]): OutcomeTally {
  const failed = new Map<string, number>();
  let attempts = 0;
  let resumes = 0;
  const timeoutCalls = outcomes.filter((outcome) => outcome.clientFault === 'client_timeout');
  for (const outcome of outcomes) {
    attempts += outcome.attempts;
    resumes += outcome.resumes;
    if (outcome.errorClass !== undefined)
      failed.set(outcome.errorClass, (failed.get(outcome.errorClass) ?? 0) + 1);
  }
  return {
    calls: outcomes.length,
    succeeded: outcomes.filter((outcome) => outcome.succeeded).length,
    failedByClass: [...failed].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])),
    untyped: outcomes.filter((outcome) => !outcome.typed),
    attempts,
    streams: outcomes.filter((outcome) => outcome.kind === 'chat-stream').length,
    abandonedStreams: outcomes.filter((outcome) => outcome.abandoned === true).length,
    resumedStreams: outcomes.filter((outcome) => outcome.resumes > 0).length,
    resumes,
    clientTimeouts: timeoutCalls.length,
    timedOut: timeoutCalls.filter((outcome) => outcome.errorClass?.startsWith('TimeoutError') === true)
      .length,
    killedClientCalls: outcomes.filter((outcome) => outcome.clientFault === 'client_kill').length,
    killedInFlight: outcomes.filter((outcome) => outcome.killed === true).length,
  };
}

/**
 * Why a run fails, one sentence per broken promise; empty when it passes. These are the
 * run's exit conditions: an untyped error, a resumed stream with other text than the
 * unfaulted one, any reconcile difference, a double charge, an unhandled rejection, a handle
 * left open, a budget overspent, a killed client that did not die as planned or a reservation
 * of one left open after recovery (plus errors the server logged, which mean a code path failed).
 *
 * @example
 * const failures = chaosFailures(report); process.exitCode = failures.length === 0 ? 0 : 1;
 */
export function chaosFailures(report: ChaosReport): string[] {
  const tally = tallyOutcomes(report.outcomes);
  const { billing } = report;
  const failures: string[] = [];
  if (tally.untyped.length > 0) {
    const sample = tally.untyped[0];
    failures.push(
      `${tally.untyped.length} calls ended in an untyped error, e.g. ${sample?.errorClass}: ${sample?.untypedMessage}`,
    );
  }
  if (report.texts.mismatches.length > 0) {
    failures.push(
      `${report.texts.mismatches.length} resumed streams differ from the unfaulted text: ${report.texts.mismatches[0]}`,
    );
  }
  if (billing.differingCalls > 0) {
    failures.push(
      `reconcile: ${billing.differingCalls} calls billed differently from the ledger, e.g. ${billing.differenceSamples[0]}`,
    );
  }
  if (billing.doubleCharges.length > 0) {
    failures.push(
      `${billing.doubleCharges.length} calls billed ok more than once, e.g. ${billing.doubleCharges[0]}`,
    );
  }
  if (billing.doubleRecords.length > 0) {
    failures.push(
      `${billing.doubleRecords.length} calls recorded more than once in the ledger, e.g. ${billing.doubleRecords[0]}`,
    );
  }
  const leaked = report.process.unhandledRejections + report.process.uncaughtExceptions;
  if (leaked > 0)
    failures.push(`${leaked} unhandled rejections or uncaught exceptions: ${report.process.samples[0]}`);
  if (report.openHandles.length > 0) failures.push(`handles left open: ${report.openHandles.join(', ')}`);
  const killed = report.killedClients;
  failures.push(...(killed?.errors ?? []));
  const open = killed?.recovery.openReservations ?? [];
  if (open.length > 0) {
    failures.push(
      `${open.length} reservations of killed clients are still open after recovery, e.g. ${open[0]}`,
    );
  }
  const spent = report.budgetSpent;
  if (spent !== undefined && spent.compare(report.budgetLimit) > 0) {
    failures.push(
      `budget overspent: the ledger holds ${spent.toString()} against a hard limit of ${report.budgetLimit.toString()}`,
    );
  }
  if (report.serverErrors.length > 0) {
    failures.push(`the server logged ${report.serverErrors.length} errors, e.g. ${report.serverErrors[0]}`);
  }
  return failures;
}
