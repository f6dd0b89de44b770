import { type PostgresStoreOptions, postgresNames } from '../cost/postgres-connection.js';
import { InvalidOptionError } from '../errors/index.js';
import { CliUsageError } from './cli-io.js';
import type { HelpRow } from './help-text.js';

/** Whether a store argument names a PostgreSQL database rather than a file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The flags of commands that open a PostgreSQL store. */
export const postgresOptions = {
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
} as const;

/** The help rows of {@link postgresOptions}; a command lays them out with its own (`helpRows`). */
export const postgresRows: readonly HelpRow[] = [
  ['--schema <name>', 'PostgreSQL: the schema of the tables (default public)'],
  ['--table-prefix <p>', 'PostgreSQL: the start of every table name (default aiaas_)'],
];

/**
 * The store options from `--schema` and `--table-prefix`, checked now so that a mistake is a
 * usage error; given with no PostgreSQL store to apply to, they are one too.
 *
 * @example
 * const options = postgresStoreOptions(values, isPostgresUrl(ledger)); // { schema: 'billing' }
 */
export function postgresStoreOptions(
  values: { schema?: string | undefined; 'table-prefix'?: string | undefined },
  usesPostgres: boolean,
): PostgresStoreOptions {
  const options: PostgresStoreOptions = {
    ...(values.schema === undefined ? {} : { schema: values.schema }),
    ...(values['table-prefix'] === undefined ? {} : { tablePrefix: values['table-prefix'] }),
  };
  if (!usesPostgres && Object.keys(options).length > 0) {
    const flag = values.schema === undefined ? '--table-prefix' : '--schema';
    throw new CliUsageError(`${flag} applies to a PostgreSQL store (postgres://…) only.`);
  }
  try {
    postgresNames(options);
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const flag = error.option === 'schema' ? '--schema' : '--table-prefix';
    const given = error.option === 'schema' ? values.schema : values['table-prefix'];
    throw new CliUsageError(`${flag} must be ${error.allowed}, got '${given}'.`);
  }
  return options;
}

/**
 * A connection string as it may be printed: host, port and database, never the user's password.
 *
 * @example
 * describePostgresUrl('postgres://app:secret@db.internal:5432/billing'); // 'db.internal:5432/billing'
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.host === '' ? 'localhost' : parsed.host;
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return database === '' ? host : `${host}/${database}`;
  } catch {
    return 'the PostgreSQL database';
  }
}
