import type { Money } from '../../src/cost/money.js';
import { callKinds } from './call-plan.js';
import { type ChaosReport, chaosFailures, type OutcomeTally, tallyOutcomes } from './chaos-report.js';
import { clientTimeoutMs, slowAnswerMs } from './client-faults.js';

function money(amount: Money | undefined): string {
  return amount === undefined ? '0 USD' : amount.toString();
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}

function clientFaultRows(report: ChaosReport, tally: OutcomeTally): [string, string][] {
  const { fromRecord, atMaximum } = report.timeoutCharges;
  const rows: [string, string][] = [
    [
      'client timeouts',
      `${tally.clientTimeouts} calls (${clientTimeoutMs} ms timeout, answer held ${slowAnswerMs} ms): ${tally.timedOut} TimeoutError; charged from the server's record ${fromRecord}, at the reserved maximum ${atMaximum}`,
    ],
  ];
  const killed = report.killedClients;
  if (killed === undefined) return [...rows, ['killed clients', '0']];
  const { recovery } = killed;
  return [
    ...rows,
    [
      'killed clients',
      `${killed.processes} processes SIGKILLed: ${tally.killedClientCalls} calls, ${tally.killedInFlight} in flight at the kill`,
    ],
    [
      'recovered after the kills',
      `${recovery.recovered} entries from server billing; ${recovery.estimates} lapsed leases estimated, ${recovery.corrections} reversed; ${recovery.settled} reservations settled (${recovery.skipped} records skipped)`,
    ],
    ['open reservations after recovery', String(recovery.openReservations.length)],
  ];
}

function rows(report: ChaosReport): [string, string][] {
  const tally = tallyOutcomes(report.outcomes);
  const { billing, process: watch } = report;
  const byKind = callKinds
    .map((kind) => `${kind} ${report.outcomes.filter((outcome) => outcome.kind === kind).length}`)
    .join(', ');
  const seconds = report.durationMs / 1000;
  return [
    ['calls', `${tally.calls} (${byKind})`],
    ['succeeded', String(tally.succeeded)],
    ['failed', String(tally.calls - tally.succeeded)],
    ...tally.failedByClass.map(([name, count]): [string, string] => [`  ${name}`, String(count)]),
    ['untyped errors', String(tally.untyped.length)],
    ['attempts', `${tally.attempts} (${(tally.attempts / Math.max(1, tally.calls)).toFixed(2)} per call)`],
    ['resumed streams', `${tally.resumedStreams} of ${tally.streams} streams (${tally.resumes} resumes)`],
    ['streams left early', `${tally.abandonedStreams} (a break after 1–4 text pieces)`],
    ...clientFaultRows(report, tally),
    [
      'resumed text = unfaulted text',
      `${report.texts.checked - report.texts.mismatches.length} of ${report.texts.checked}`,
    ],
    [
      'server billing total',
      `${money(billing.serverTotal)} (${billing.serverRecords} records, GET /v1/usage of both tenants)`,
    ],
    [
      'client ledgers total',
      `${money(billing.ledgerTotal)} (${billing.ledgerEntries} entries, the run's and the killed clients' ledgers)`,
    ],
    ['reconcile differences', `${billing.differingCalls} calls`],
    [
      'double charges',
      `${billing.doubleCharges.length} (ledger double records ${billing.doubleRecords.length})`,
    ],
    [
      'hard budget',
      `${money(report.budgetSpent)} spent of ${money(report.budgetLimit)} (the run's own client)`,
    ],
    [
      'unhandled rejections',
      `${watch.unhandledRejections} (uncaught exceptions ${watch.uncaughtExceptions})`,
    ],
    [
      'open handles at end',
      report.openHandles.length === 0
        ? '0'
        : `${report.openHandles.length}: ${report.openHandles.join(', ')}`,
    ],
    ['server errors logged', String(report.serverErrors.length)],
    ['peak RSS', mebibytes(watch.peakRssBytes)],
    ['duration', `${seconds.toFixed(1)} s (${(tally.calls / Math.max(seconds, 0.001)).toFixed(0)} calls/s)`],
    ['close clients and servers', `${(report.closeMs / 1000).toFixed(1)} s`],
  ];
}

/**
 * The printed result of a run: a header with what was run, a two-column table of what was
 * measured, then PASS or FAIL with every reason and a few differing calls.
 *
 * @example
 * console.log(formatChaosTable(report));
 */
export function formatChaosTable(report: ChaosReport): string {
  const { options } = report;
  const table = rows(report);
  const width = Math.max(...table.map(([name]) => name.length));
  const valueWidth = Math.max(...table.map(([, value]) => value.length));
  const rule = `+${'-'.repeat(width + 2)}+${'-'.repeat(valueWidth + 2)}+`;
  const failures = chaosFailures(report);
  const lines = [
    `aiaas chaos run: ${options.calls} calls, concurrency ${options.concurrency}, seed ${options.seed}`,
    `fault mix: rate ${options.rate}, kinds ${options.kinds.join(', ')}; the server's default rate card`,
    `client: maxRetries ${options.maxRetries}, idleTimeout ${options.idleTimeoutMs} ms, hard budget ${(options.budgetShare * 100).toFixed(0)}% of the planned calls' quoted maximum`,
    rule,
    `| ${'measure'.padEnd(width)} | ${'value'.padEnd(valueWidth)} |`,
    rule,
    ...table.map(([name, value]) => `| ${name.padEnd(width)} | ${value.padEnd(valueWidth)} |`),
    rule,
    failures.length === 0 ? 'PASS' : `FAIL (${failures.length})`,
    ...failures.map((failure) => `  - ${failure}`),
  ];
  if (report.billing.differenceSamples.length > 0) {
    lines.push(
      'differing calls (first few):',
      ...report.billing.differenceSamples.map((line) => `  ${line}`),
    );
  }
  return lines.join('\n');
}
