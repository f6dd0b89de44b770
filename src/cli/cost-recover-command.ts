import { access } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Budget } from '../cost/budget.js';
import type { BudgetStore } from '../cost/budget-store.js';
import { JsonlLedgerStore } from '../cost/jsonl-ledger-store.js';
import { Ledger } from '../cost/ledger.js';
import type { LedgerStore } from '../cost/ledger-store.js';
import type { Money } from '../cost/money.js';
import { PostgresBudgetStore } from '../cost/postgres-budget-store.js';
import {
  openPostgresPool,
  type PostgresPool,
  type PostgresStoreOptions,
} from '../cost/postgres-connection.js';
import { PostgresLedgerStore } from '../cost/postgres-ledger-store.js';
import { type RecoverUsageResult, recoverUsage } from '../cost/recover-usage.js';
import { ServerBillingSource } from '../cost/server-billing-source.js';
import { SqliteBudgetStore } from '../cost/sqlite-budget-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../cost/sqlite-database.js';
import { SqliteLedgerStore } from '../cost/sqlite-ledger-store.js';
import { AiaasError } from '../errors/index.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { helpFlagRow, helpRows } from './help-text.js';
import { parseCommandLine } from './parse-command-line.js';
import { isPostgresUrl, postgresOptions, postgresRows, postgresStoreOptions } from './postgres-location.js';

export const costRecoverUsage = `Usage: aiaas cost recover --ledger <ledger> --base-url <url> [options]

Bring a crashed process's spend back from aiaas/server's billing (GET /v1/usage): every billing
record the ledger lacks becomes a 'recovered' entry, reservations whose lease ran out are settled
at what was billed, and lease-expiry estimates are reversed. Running it again changes nothing.
A PostgreSQL ledger or budget must have its tables already: recovery creates none.

Options:
${helpRows([
  [
    '--ledger <ledger>',
    'the ledger the calls recorded to (JSON Lines: .jsonl; SQLite: .db, .sqlite, .sqlite3; PostgreSQL: postgres://…)',
  ],
  [
    '--budget <budget>',
    "the budget store the calls reserved in: a SQLite file (may be the ledger's) or postgres://…",
  ],
  ['--base-url <url>', 'the server (default: $AIAAS_BASE_URL)'],
  ['--api-key <key>', 'the key whose bill is read (default: $AIAAS_API_KEY); each key sees its own'],
  ['--since <time>', 'only records from then on (ISO 8601)'],
  ['--grace-ms <n>', 'leave records no reservation accounts for until they are this old (default 60000)'],
  ['--format <format>', 'text | json (default text)'],
  ...postgresRows,
  helpFlagRow,
])}`;

const sqliteExtensions = new Set(['.db', '.sqlite', '.sqlite3']);
const isSqlite = (path: string) => sqliteExtensions.has(extname(path).toLowerCase());

/**
 * Opened stores, closed together: a budget and a ledger in one SQLite file share one connection,
 * and in one PostgreSQL database one pool. PostgreSQL tables are never created here.
 */
class OpenedStores {
  private readonly databases = new Map<string, Promise<SqliteDatabase>>();
  private readonly pools = new Map<string, Promise<PostgresPool>>();

  constructor(private readonly postgres: PostgresStoreOptions) {}

  database(path: string): Promise<SqliteDatabase> {
    const key = resolve(path);
    let opened = this.databases.get(key);
    if (opened === undefined) {
      opened = openSqliteDatabase(path);
      this.databases.set(key, opened);
    }
    return opened;
  }

  pool(url: string): Promise<PostgresPool> {
    let opened = this.pools.get(url);
    if (opened === undefined) {
      opened = openPostgresPool(url, { ...this.postgres, maxConnections: 2 });
      this.pools.set(url, opened);
    }
    return opened;
  }

  async ledger(location: string): Promise<LedgerStore> {
    if (isPostgresUrl(location)) {
      return PostgresLedgerStore.open(await this.pool(location), { ...this.postgres, migrate: false });
    }
    if (isSqlite(location)) return SqliteLedgerStore.open(await this.database(location));
    return new JsonlLedgerStore(location);
  }

  async budget(location: string): Promise<BudgetStore> {
    if (isPostgresUrl(location)) {
      return PostgresBudgetStore.open(await this.pool(location), { ...this.postgres, migrate: false });
    }
    await access(location).catch(() => {
      throw new AiaasError(`budget file '${location}' does not exist.`);
    });
    return SqliteBudgetStore.open(await this.database(location));
  }

  async close(): Promise<void> {
    for (const opened of this.databases.values()) {
      const database = await opened.catch(() => undefined);
      if (database?.open) database.close();
    }
    for (const opened of this.pools.values()) await (await opened.catch(() => undefined))?.end();
  }
}

function money(amount: Money): string {
  return `${amount.toDecimalString()} ${amount.currency}`;
}

function sums(totals: Record<string, Money>): string {
  const amounts = Object.values(totals).map(money);
  return amounts.length === 0 ? '0' : amounts.join(' + ');
}

function printText(result: RecoverUsageResult, io: CliIo): void {
  io.stdout(`recovered ${result.recovered.length} billing record(s): ${sums(result.totals.recovered)}`);
  for (const entry of result.recovered) {
    const key = entry.idempotencyKey === null ? '' : ` key ${entry.idempotencyKey}`;
    io.stdout(`  ${entry.requestId}${key} ${entry.model} ${entry.cost === null ? '-' : money(entry.cost)}`);
  }
  io.stdout(`settled ${result.settled.length} reservation(s) at what was billed`);
  for (const reservation of result.settled) {
    io.stdout(
      `  ${reservation.id} key ${reservation.idempotencyKey} ${money(reservation.billed)} (${reservation.was})`,
    );
  }
  io.stdout(
    `reversed ${result.corrections.length} lease-expiry estimate(s): ${sums(result.totals.corrected)}`,
  );
  for (const skipped of result.skipped) {
    const what = skipped.idempotencyKey ?? skipped.records.map((record) => record.requestId).join(', ');
    io.stdout(`left ${what}: ${skipped.reason}`);
  }
}

function resultJson(result: RecoverUsageResult): string {
  const amounts = (totals: Record<string, Money>) =>
    Object.fromEntries(
      Object.entries(totals).map(([currency, amount]) => [currency, amount.toDecimalString()]),
    );
  return JSON.stringify(
    {
      recovered: result.recovered.map((entry) => ({
        id: entry.id,
        requestId: entry.requestId,
        idempotencyKey: entry.idempotencyKey,
        model: entry.model,
        cost: entry.cost?.toJSON() ?? null,
      })),
      settled: result.settled.map((reservation) => ({ ...reservation, billed: reservation.billed.toJSON() })),
      corrections: result.corrections.map((entry) => ({ id: entry.id, cost: entry.cost?.toJSON() ?? null })),
      skipped: result.skipped.map((skipped) => ({
        idempotencyKey: skipped.idempotencyKey,
        requestIds: skipped.records.map((record) => record.requestId),
        reason: skipped.reason,
      })),
      totals: { recovered: amounts(result.totals.recovered), corrected: amounts(result.totals.corrected) },
    },
    null,
    2,
  );
}

/**
 * `aiaas cost recover`: {@link recoverUsage} against aiaas/server, from the command line.
 *
 * @example
 * process.exitCode = await costRecoverCommand(['--ledger', 'spend.jsonl', '--budget', 'budget.db'], processIo);
 */
export async function costRecoverCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: {
        ledger: { type: 'string' },
        budget: { type: 'string' },
        'base-url': { type: 'string' },
        'api-key': { type: 'string' },
        since: { type: 'string' },
        'grace-ms': { type: 'string' },
        format: { type: 'string' },
        ...postgresOptions,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(costRecoverUsage);
    return 0;
  }
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument '${positionals[0]}'.`);
  if (values.ledger === undefined) throw new CliUsageError('give the ledger to recover into with --ledger.');
  const baseURL = values['base-url'] ?? process.env.AIAAS_BASE_URL;
  if (baseURL === undefined || baseURL === '') {
    throw new CliUsageError('no server to read the billing from: pass --base-url or set AIAAS_BASE_URL.');
  }
  const apiKey = values['api-key'] ?? process.env.AIAAS_API_KEY;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new CliUsageError(`--format must be text or json, got '${format}'.`);
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) {
    throw new CliUsageError(`--since must be an ISO 8601 time, got '${values.since}'.`);
  }
  const grace = values['grace-ms'] === undefined ? undefined : Number(values['grace-ms']);
  if (grace !== undefined && !(Number.isSafeInteger(grace) && grace >= 0)) {
    throw new CliUsageError(
      `--grace-ms must be a whole number of milliseconds, got '${values['grace-ms']}'.`,
    );
  }
  if (values.budget !== undefined && !isSqlite(values.budget) && !isPostgresUrl(values.budget)) {
    throw new CliUsageError(
      `--budget must be a SQLite file (.db, .sqlite, .sqlite3) or a PostgreSQL database (postgres://…), got '${values.budget}'.`,
    );
  }
  const usesPostgres = [values.ledger, values.budget].some(
    (location) => location !== undefined && isPostgresUrl(location),
  );
  const stores = new OpenedStores(postgresStoreOptions(values, usesPostgres));
  let ledger: Ledger | undefined;
  let budget: Budget | undefined;
  try {
    if (values.budget !== undefined) {
      budget = new Budget({ limits: [], store: await stores.budget(values.budget) });
    }
    ledger = new Ledger({ store: await stores.ledger(values.ledger) });
    const provider = new ServerBillingSource({
      baseURL,
      apiKey: apiKey === undefined || apiKey === '' ? null : apiKey,
    });
    const result = await recoverUsage({
      ledger,
      budget,
      provider,
      ...(since === undefined ? {} : { since }),
      ...(grace === undefined ? {} : { inFlightGraceMs: grace }),
    });
    if (format === 'json') io.stdout(resultJson(result));
    else printText(result, io);
    return 0;
  } catch (error) {
    io.stderr(`aiaas cost recover: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await ledger?.close();
    await budget?.close();
    await stores.close();
  }
}
