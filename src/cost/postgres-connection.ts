import { createHash } from 'node:crypto';
import { AiaasError, InvalidOptionError } from '../errors/index.js';

/** What a query answers: the part of a `pg` result the PostgreSQL stores read. */
export interface PostgresQueryResult {
  rows: unknown[];
  rowCount: number | null;
}

/** A query as `pg` takes it: with a `name`, it is prepared once per connection and then only executed. */
export interface PostgresQueryConfig {
  readonly name?: string;
  readonly text: string;
  readonly values?: unknown[];
}

/** Anything that runs one parameterised query: a `pg` Pool or one of its clients. */
export interface PostgresQueryable {
  query(text: string | PostgresQueryConfig, values?: unknown[]): Promise<PostgresQueryResult>;
}

/** A connection checked out of a pool; `release` gives it back. */
export interface PostgresPoolClient extends PostgresQueryable {
  release(destroy?: boolean | Error): void;
}

/**
 * The part of a `pg` Pool the PostgreSQL stores use, declared here so that aiaas's types do not
 * depend on the optional `pg` package. A `new pg.Pool(...)` is one.
 */
export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
}

/** Where the stores' tables live and how the pool they open is set up. */
export interface PostgresStoreOptions {
  /** The schema of the tables (created if missing). Default `public`. */
  schema?: string;
  /** Put before every table and function name, so that several apps can share one schema. Default `aiaas_`. */
  tablePrefix?: string;
  /** Connections at most in the pool opened from a connection string. Default 10. */
  maxConnections?: number;
  /**
   * How long a statement of the pool opened from a connection string waits for a lock held by
   * another connection before it gives up and is retried. Default 5000 ms.
   */
  lockTimeoutMs?: number;
  /**
   * Whether opening the store creates its tables or brings them up to this aiaas's schema version
   * (default true). With false it only checks that they are at that version and fails if not:
   * for tables applied by hand (`aiaas db migrate`) and a database role without DDL rights.
   */
  migrate?: boolean;
  /**
   * Whether the stores' hot statements are prepared once per connection (named statements) instead
   * of parsed and planned on every call (default true; a reserve then costs about a third less).
   * Set false behind a pooler that cannot keep them: PgBouncer in transaction mode before 1.21, or
   * with `max_prepared_statements = 0`.
   */
  preparedStatements?: boolean;
}

/** Qualified names of a store's tables and functions, from a checked schema and prefix. */
export interface PostgresNames {
  readonly schema: string;
  readonly prefix: string;
  /** `"schema"."prefix<name>"`. */
  qualify(name: string): string;
  /** The bare `prefix<name>` (for index names, which live in the table's schema). */
  bare(name: string): string;
  /** The advisory lock key that serialises migrations of this schema and prefix. */
  readonly migrationLockKey: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

// One name per statement text: the same text always gets the same name, and two texts never share
// one, whichever schema, prefix or store made them (a pool may be shared between stores).
const statementNames = new Map<string, string>();

/**
 * The query to send: the text alone, or with a name derived from it so that `pg` prepares it
 * once per connection and then sends only its values.
 *
 * @example
 * await pool.query(postgresStatement(true, 'SELECT * FROM t WHERE id = $1', [id]));
 */
export function postgresStatement(prepared: boolean, text: string, values: unknown[]): PostgresQueryConfig {
  if (!prepared) return { text, values };
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `aiaas_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** The `preparedStatements` option, checked: true unless set false. */
export function preparedStatementsOption(options: PostgresStoreOptions): boolean {
  const prepared = options.preparedStatements ?? true;
  if (typeof prepared !== 'boolean') {
    throw new InvalidOptionError(
      `Invalid PostgreSQL store option \`preparedStatements\`: got ${JSON.stringify(prepared)}; expected true or false.`,
      { option: 'preparedStatements', allowed: 'true or false' },
    );
  }
  return prepared;
}

/** Checks the schema and prefix: plain lower-case identifiers, short enough for every table name. */
export function postgresNames(options: PostgresStoreOptions = {}): PostgresNames {
  const schema = options.schema ?? 'public';
  const prefix = options.tablePrefix ?? 'aiaas_';
  if (!IDENTIFIER.test(schema) || schema.length > 63) {
    throw new InvalidOptionError(
      `Invalid PostgreSQL store option \`schema\`: got ${JSON.stringify(schema)}; expected a lower-case identifier (a-z, 0-9, _) of at most 63 characters.`,
      { option: 'schema', allowed: 'a lower-case identifier of at most 63 characters' },
    );
  }
  // The longest name the stores add is 30 characters; PostgreSQL cuts names at 63.
  if (!(prefix === '' || IDENTIFIER.test(prefix)) || prefix.length > 32) {
    throw new InvalidOptionError(
      `Invalid PostgreSQL store option \`tablePrefix\`: got ${JSON.stringify(prefix)}; expected lower-case letters, digits and _ (not first a digit), at most 32 characters.`,
      { option: 'tablePrefix', allowed: 'a lower-case identifier prefix of at most 32 characters' },
    );
  }
  // A stable 63-bit key, the same in every process and version.
  const digest = createHash('sha256').update(`aiaas-migrations:${schema}.${prefix}`).digest();
  return {
    schema,
    prefix,
    qualify: (name) => `"${schema}"."${prefix}${name}"`,
    bare: (name) => `${prefix}${name}`,
    migrationLockKey: digest.readBigInt64BE(0).toString(),
  };
}

type PoolConstructor = new (
  config: Record<string, unknown>,
) => PostgresPool & {
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/**
 * Opens a `pg` Pool on a connection string (`postgres://user:password@host:5432/database`).
 * `pg` is loaded only here, on first use, since it is an optional peer dependency.
 *
 * @example
 * const pool = await openPostgresPool('postgres://localhost/app', { maxConnections: 4 });
 */
export async function openPostgresPool(
  connectionString: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresPool> {
  const maxConnections = options.maxConnections ?? 10;
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
    throw new InvalidOptionError(
      `Invalid PostgreSQL store option \`maxConnections\`: got ${String(maxConnections)}; expected a whole number >= 1.`,
      { option: 'maxConnections', allowed: 'a whole number >= 1' },
    );
  }
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 0) {
    throw new InvalidOptionError(
      `Invalid PostgreSQL store option \`lockTimeoutMs\`: got ${String(lockTimeoutMs)}; expected whole milliseconds >= 0.`,
      { option: 'lockTimeoutMs', allowed: 'whole milliseconds >= 0 (0 waits for ever)' },
    );
  }
  const Pool = await loadPg();
  const pool = new Pool({
    connectionString,
    max: maxConnections,
    lock_timeout: lockTimeoutMs,
    application_name: 'aiaas',
  });
  // An idle connection the server drops (a restart, a failover) is reported here; unheard, it
  // would crash the process. The next query opens a fresh connection.
  pool.on('error', () => {});
  return pool;
}

let loaded: Promise<PoolConstructor> | undefined;

function loadPg(): Promise<PoolConstructor> {
  loaded ??= import('pg').then(
    (module) => {
      const namespace = ((module as { default?: unknown }).default ?? module) as { Pool: PoolConstructor };
      return namespace.Pool;
    },
    (error: unknown) => {
      loaded = undefined;
      const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
      throw new AiaasError(
        missing
          ? 'The PostgreSQL stores need the optional peer dependency pg: run `npm install pg`.'
          : `pg is installed but could not be loaded (${(error as Error).message}); reinstall it.`,
        { cause: error, code: 'postgres_unavailable' },
      );
    },
  );
  return loaded;
}
