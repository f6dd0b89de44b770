import { parseArgs } from 'node:util';
import { postgresNames } from '../cost/postgres-connection.js';
import { migratePostgresStores } from '../cost/postgres-store-migrations.js';
import { type CliIo, CliUsageError, usageExitCode } from './cli-io.js';
import { helpFlagRow, helpRows } from './help-text.js';
import { parseCommandLine } from './parse-command-line.js';
import {
  describePostgresUrl,
  isPostgresUrl,
  postgresOptions,
  postgresRows,
  postgresStoreOptions,
} from './postgres-location.js';

export const dbUsage = `Usage: aiaas db migrate <postgres://user:password@host:5432/database> [options]

Create the PostgreSQL budget and ledger stores' tables, or bring them up to this aiaas's
schema version, and say which versions were applied. Safe to run again, and from several
machines at once. The stores do the same when they open, unless opened with migrate: false.

Options:
${helpRows([...postgresRows, helpFlagRow])}`;

/**
 * `aiaas db migrate <url>`: applies the PostgreSQL stores' migrations (see `migratePostgresStores`).
 *
 * @example
 * process.exitCode = await dbCommand(['migrate', 'postgres://localhost/app', '--schema', 'billing'], processIo);
 */
export async function dbCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined) {
    io.stderr(dbUsage);
    return usageExitCode;
  }
  if (subcommand === '--help' || subcommand === '-h') {
    io.stdout(dbUsage);
    return 0;
  }
  if (subcommand !== 'migrate')
    throw new CliUsageError(`unknown subcommand '${subcommand}'; try 'aiaas db migrate'.`);
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...rest],
      options: { ...postgresOptions, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(dbUsage);
    return 0;
  }
  const [url, ...extra] = positionals;
  if (url === undefined) throw new CliUsageError('give the PostgreSQL database to migrate (postgres://…).');
  if (extra.length > 0) throw new CliUsageError(`unexpected argument '${extra[0]}'.`);
  if (!isPostgresUrl(url)) {
    throw new CliUsageError(
      `expected a PostgreSQL connection string (postgres://user:password@host:5432/database), got '${url}'.`,
    );
  }
  const options = postgresStoreOptions(values, true);
  const names = postgresNames(options);
  try {
    const stores = await migratePostgresStores(url, options);
    io.stdout(`${describePostgresUrl(url)}, schema ${names.schema}, table prefix ${names.prefix}`);
    for (const store of stores) {
      const applied = store.applied.map((migration) => `${migration.version} (${migration.description})`);
      io.stdout(
        applied.length === 0
          ? `${store.subject}: up to date at version ${store.version}`
          : `${store.subject}: applied version${applied.length > 1 ? 's' : ''} ${applied.join(', ')}`,
      );
    }
    return 0;
  } catch (error) {
    io.stderr(`aiaas db migrate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
