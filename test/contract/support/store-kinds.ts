import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { BudgetStore } from '../../../src/cost/budget-store.js';
import { JsonlLedgerStore } from '../../../src/cost/jsonl-ledger-store.js';
import type { LedgerStore } from '../../../src/cost/ledger-store.js';
import { MemoryBudgetStore } from '../../../src/cost/memory-budget-store.js';
import { MemoryLedgerStore } from '../../../src/cost/memory-ledger-store.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../../src/cost/postgres-ledger-store.js';
import { SqliteBudgetStore } from '../../../src/cost/sqlite-budget-store.js';
import { SqliteLedgerStore } from '../../../src/cost/sqlite-ledger-store.js';
import { interleavingStore } from '../../support/interleaving-store.js';
import { postgresUrl, usePostgresSchemas } from '../../support/postgres-schemas.js';

/** Two handles on one fresh store: for SQLite two connections, for PostgreSQL two pools, as two processes have. */
export interface BudgetStorePair {
  readonly first: BudgetStore;
  readonly second: BudgetStore;
  /** A third handle opened after the others close (stores that outlive their handles). */
  readonly reopen?: () => Promise<BudgetStore>;
  /** The arguments a child process gives `test/contract/support/store-worker.ts` to share this store. */
  readonly workerArguments?: readonly string[];
  close(): Promise<void>;
}

export interface BudgetStoreKind {
  readonly name: string;
  /** True for stores that processes share (each pair then has `workerArguments`). */
  readonly acrossProcesses: boolean;
  open(): Promise<BudgetStorePair>;
}

export interface LedgerStoreKind {
  readonly name: string;
  /** False for the JSONL file, which appends without reading back. */
  readonly refusesDuplicateIds: boolean;
  /** A fresh, empty store. */
  open(): Promise<LedgerStore>;
  /** A second handle on the store `open` gave last (stores that several handles can share). */
  openAgain?: () => Promise<LedgerStore>;
}

/** A temporary directory for the files of one test file's stores. */
function useDirectory(name: string): () => string {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), `aiaas-contract-${name}-`));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  return () => directory;
}

/**
 * The memory store, with every call yielding to the event loop a seeded-random number of times,
 * so that concurrent calls interleave as they would against a database.
 */
export function memoryBudgetStoreKind(): BudgetStoreKind {
  let seed = 1;
  return {
    name: 'MemoryBudgetStore',
    acrossProcesses: false,
    open: async () => {
      const store = interleavingStore(new MemoryBudgetStore(), seed++);
      return { first: store, second: store, close: () => store.close() };
    },
  };
}

export function sqliteBudgetStoreKind(): BudgetStoreKind {
  const directory = useDirectory('sqlite');
  let files = 0;
  return {
    name: 'SqliteBudgetStore',
    acrossProcesses: true,
    open: async () => {
      const path = join(directory(), `budget-${files++}.db`);
      const [first, second] = [await SqliteBudgetStore.open(path), await SqliteBudgetStore.open(path)];
      return {
        first,
        second,
        reopen: () => SqliteBudgetStore.open(path),
        workerArguments: ['sqlite', path],
        close: async () => {
          await first.close();
          await second.close();
        },
      };
    },
  };
}

/** A PostgreSQL kind's statements: prepared once per connection (the default), or parsed on every call. */
export type PostgresStatements = 'prepared' | 'unprepared';

export function postgresBudgetStoreKind(statements: PostgresStatements = 'prepared'): BudgetStoreKind {
  const schemas = usePostgresSchemas();
  return {
    name: statements === 'prepared' ? 'PostgresBudgetStore' : 'PostgresBudgetStore (unprepared statements)',
    acrossProcesses: true,
    open: async () => {
      const options = {
        schema: schemas.fresh(),
        maxConnections: 4,
        preparedStatements: statements === 'prepared',
      };
      const [first, second] = await Promise.all([
        PostgresBudgetStore.open(postgresUrl(), options),
        PostgresBudgetStore.open(postgresUrl(), options),
      ]);
      return {
        first,
        second,
        reopen: () => PostgresBudgetStore.open(postgresUrl(), options),
        workerArguments: ['postgres', postgresUrl(), options.schema],
        close: async () => {
          await first.close();
          await second.close();
        },
      };
    },
  };
}

export function memoryLedgerStoreKind(): LedgerStoreKind {
  return { name: 'MemoryLedgerStore', refusesDuplicateIds: true, open: async () => new MemoryLedgerStore() };
}

export function jsonlLedgerStoreKind(): LedgerStoreKind {
  const directory = useDirectory('jsonl');
  let path = '';
  let files = 0;
  return {
    name: 'JsonlLedgerStore',
    refusesDuplicateIds: false,
    open: async () => {
      path = join(directory(), `ledger-${files++}.jsonl`);
      return new JsonlLedgerStore(path);
    },
    openAgain: async () => new JsonlLedgerStore(path),
  };
}

export function sqliteLedgerStoreKind(): LedgerStoreKind {
  const directory = useDirectory('sqlite-ledger');
  let path = '';
  let files = 0;
  return {
    name: 'SqliteLedgerStore',
    refusesDuplicateIds: true,
    open: async () => {
      path = join(directory(), `ledger-${files++}.db`);
      return SqliteLedgerStore.open(path);
    },
    openAgain: () => SqliteLedgerStore.open(path),
  };
}

export function postgresLedgerStoreKind(statements: PostgresStatements = 'prepared'): LedgerStoreKind {
  const schemas = usePostgresSchemas();
  let schema = '';
  const options = () => ({ schema, maxConnections: 4, preparedStatements: statements === 'prepared' });
  return {
    name: statements === 'prepared' ? 'PostgresLedgerStore' : 'PostgresLedgerStore (unprepared statements)',
    refusesDuplicateIds: true,
    open: () => {
      schema = schemas.fresh();
      return PostgresLedgerStore.open(postgresUrl(), options());
    },
    openAgain: () => PostgresLedgerStore.open(postgresUrl(), options()),
  };
}
