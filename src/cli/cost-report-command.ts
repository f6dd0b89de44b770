import { access } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildCostReport,
  formatCostReportCsv,
  formatCostReportTable,
  parseReportDimensions,
} from '../cost/cost-report.js';
import { JsonlLedgerStore } from '../cost/jsonl-ledger-store.js';
import type { LedgerEntry } from '../cost/ledger-entry.js';
import type { PostgresStoreOptions } from '../cost/postgres-connection.js';
import { PostgresLedgerStore } from '../cost/postgres-ledger-store.js';
import { SqliteLedgerStore } from '../cost/sqlite-ledger-store.js';
import { type CliIo, CliUsageError, usageExitCode } from './cli-io.js';
import { costRecoverCommand } from './cost-recover-command.js';
import { helpFlagRow, helpRows } from './help-text.js';
import { parseCommandLine } from './parse-command-line.js';
import { isPostgresUrl, postgresOptions, postgresRows, postgresStoreOptions } from './postgres-location.js';

export const costReportUsage = `Usage: aiaas cost report <ledger> [options]

Sum the spend recorded in a ledger: a file (JSON Lines: .jsonl; SQLite: .db, .sqlite, .sqlite3)
or a PostgreSQL database (postgres://user:password@host:5432/database). A report only reads:
a database without the ledger's tables is an error, not an empty report.

Options:
${helpRows([
  [
    '--by <dimensions>',
    'group by model, provider, day, key, status or tag:<name>, comma-separated (default model)',
  ],
  ['--format <format>', 'table | csv | json (default table)'],
  ['--digits <n>', 'round amounts to n decimals for display (default: exact)'],
  ...postgresRows,
  helpFlagRow,
])}`;

/** What `aiaas cost` alone prints: both subcommands. */
export const costUsage = `${costReportUsage}

       aiaas cost recover --ledger <ledger> --base-url <url> [options]

Bring a crashed process's spend back from the server's billing (aiaas cost recover --help).`;

const sqliteExtensions = new Set(['.db', '.sqlite', '.sqlite3']);

async function readLedger(path: string, io: CliIo, postgres: PostgresStoreOptions): Promise<LedgerEntry[]> {
  if (isPostgresUrl(path)) {
    // migrate: false, so that a report never creates tables (a mistyped schema would get an empty ledger).
    const store = await PostgresLedgerStore.open(path, { ...postgres, migrate: false, maxConnections: 1 });
    try {
      return await store.entries({});
    } finally {
      await store.close();
    }
  }
  try {
    await access(path);
  } catch {
    throw new Error(`ledger file '${path}' does not exist.`);
  }
  if (sqliteExtensions.has(extname(path).toLowerCase())) {
    const store = await SqliteLedgerStore.open(path);
    try {
      return await store.entries({});
    } finally {
      await store.close();
    }
  }
  // Torn or damaged lines are skipped by the store; say so on stderr rather than as a process warning.
  const warnings: string[] = [];
  const store = new JsonlLedgerStore(path, { onWarning: (message) => warnings.push(message) });
  try {
    const entries = await store.entries({});
    for (const warning of warnings) io.stderr(`aiaas cost report: ${warning}`);
    return entries;
  } finally {
    await store.close();
  }
}

function reportJson(report: ReturnType<typeof buildCostReport>): string {
  return JSON.stringify(
    {
      by: report.by,
      entries: report.entries,
      unpricedEntries: report.unpricedEntries,
      totals: Object.fromEntries(
        Object.entries(report.totals).map(([currency, money]) => [currency, money.toDecimalString()]),
      ),
      rows: report.rows.map((row) => ({
        group: row.group,
        currency: row.currency,
        entries: row.entries,
        total: row.total?.toDecimalString() ?? null,
        usage: Object.fromEntries(Object.entries(row.usage).map(([bucket, count]) => [bucket, count.value])),
      })),
    },
    null,
    2,
  );
}

/**
 * `aiaas cost report <ledger>`: spend grouped by the chosen dimensions, exact per currency.
 *
 * @example
 * process.exitCode = await costCommand(['report', 'spend.jsonl', '--by', 'model,day'], processIo);
 */
export async function costCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined) {
    // A command line that says too little: the usage goes where errors go, with code 2.
    io.stderr(costUsage);
    return usageExitCode;
  }
  if (subcommand === '--help' || subcommand === '-h') {
    io.stdout(costUsage);
    return 0;
  }
  if (subcommand === 'recover') return costRecoverCommand(rest, io);
  if (subcommand !== 'report')
    throw new CliUsageError(
      `unknown subcommand '${subcommand}'; try 'aiaas cost report' or 'aiaas cost recover'.`,
    );
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...rest],
      options: {
        by: { type: 'string' },
        format: { type: 'string' },
        digits: { type: 'string' },
        ...postgresOptions,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(costReportUsage);
    return 0;
  }
  const [ledgerPath, ...extra] = positionals;
  if (ledgerPath === undefined) throw new CliUsageError('give the ledger to report on.');
  if (extra.length > 0) throw new CliUsageError(`unexpected argument '${extra[0]}'.`);
  const postgres = postgresStoreOptions(values, isPostgresUrl(ledgerPath));
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'csv' && format !== 'json') {
    throw new CliUsageError(`--format must be table, csv or json, got '${format}'.`);
  }
  const digits = values.digits === undefined ? undefined : Number(values.digits);
  if (digits !== undefined && !(Number.isInteger(digits) && digits >= 0 && digits <= 12)) {
    throw new CliUsageError(`--digits must be an integer from 0 to 12, got '${values.digits}'.`);
  }
  let by: ReturnType<typeof parseReportDimensions>;
  try {
    by = parseReportDimensions(values.by ?? 'model');
  } catch (error) {
    throw new CliUsageError(`--by: ${error instanceof Error ? error.message : String(error)}`);
  }
  let entries: LedgerEntry[];
  try {
    entries = await readLedger(ledgerPath, io, postgres);
  } catch (error) {
    io.stderr(`aiaas cost report: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const report = buildCostReport(entries, { by });
  if (format === 'json') io.stdout(reportJson(report));
  else if (format === 'csv') io.stdout(formatCostReportCsv(report).trimEnd());
  else io.stdout(formatCostReportTable(report, digits === undefined ? {} : { digits }).trimEnd());
  return 0;
}
