import { AiaasClient } from '../../../src/client/aiaas-client.js';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PostgresBudgetStore } from '../../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../../src/cost/postgres-ledger-store.js';

/** What a spending child process is told (its one argument, as JSON). */
export interface PostgresSpenderAssignment {
  readonly url: string;
  readonly apiKey: string;
  readonly postgresUrl: string;
  readonly schema: string;
  /** The budget's hard limit, a decimal string in USD. */
  readonly limit: string;
  /** How many calls it makes. */
  readonly calls: number;
  readonly leaseMs?: number;
}

/**
 * What an application process opens to spend against a PostgreSQL budget and ledger shared with
 * other processes: both stores, a Budget with one hard limit, and a client priced by the server.
 *
 * @example
 * const spender = await openPostgresSpender(JSON.parse(process.argv[2]));
 * await spender.client.chat.completions.create(spendingCall(1));
 * await spender.close();
 */
export async function openPostgresSpender(assignment: PostgresSpenderAssignment) {
  const stores = { schema: assignment.schema, maxConnections: 4 };
  const ledger = new Ledger({ store: await PostgresLedgerStore.open(assignment.postgresUrl, stores) });
  const budget = new Budget({
    limits: [{ limit: Money.of(assignment.limit, 'USD'), mode: 'hard' }],
    store: await PostgresBudgetStore.open(assignment.postgresUrl, stores),
    ledger,
    ...(assignment.leaseMs === undefined ? {} : { leaseMs: assignment.leaseMs }),
  });
  const client = new AiaasClient({
    baseURL: assignment.url,
    apiKey: assignment.apiKey,
    pricing: 'server',
    budget,
    ledger,
    logLevel: 'off',
  });
  return {
    client,
    budget,
    close: async () => {
      await client.close();
      await budget.close();
      await ledger.close();
    },
  };
}
