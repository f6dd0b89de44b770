import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../src/cost/budget.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { PostgresBudgetStore } from '../../src/cost/postgres-budget-store.js';
import { PostgresLedgerStore } from '../../src/cost/postgres-ledger-store.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import { makeUsage } from '../../src/cost/usage.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { exitOf, runAiaas } from '../support/aiaas-process.js';
import { postgresUrl, usePostgresSchemas } from '../support/postgres-schemas.js';

// The CLI as users run it, in its own process, against this run's PostgreSQL server.
const aiaas = (args: readonly string[]) => exitOf(runAiaas(args));

const apiKey = 'sk-postgres-cli';
const schemas = usePostgresSchemas();
const database = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
});
afterAll(async () => {
  await server?.close();
  await database.end();
});

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await database.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length === 1;
}

// Each test runs its own processes on its own schema: they run side by side, each process loading
// the CLI through tsx, which on a busy machine takes seconds.
describe.concurrent('aiaas db migrate and cost commands on PostgreSQL', { timeout: 90_000 }, () => {
  it('db migrate creates both stores’ tables, says which versions it applied, then finds them up to date', async () => {
    const schema = schemas.fresh();
    const args = ['db', 'migrate', postgresUrl(), '--schema', schema, '--table-prefix', 'cli_'];
    const first = await aiaas(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const where = new URL(postgresUrl());
    expect(first.stdout.split('\n')).toEqual([
      `${where.host}${where.pathname}, schema ${schema}, table prefix cli_`,
      'budget: applied versions 1 (budget charges, spend per day, reserve and settle), 2 (plans kept per connection; settle and release lock only their charge), 3 (running totals per scope decide a reserve; the lock row goes)',
      'ledger: applied version 1 (ledger entries)',
      '',
    ]);
    const { rows } = await database.query(
      `SELECT subject, version FROM "${schema}".cli_migrations ORDER BY 1, 2`,
    );
    expect(rows).toEqual([
      { subject: 'budget', version: 1 },
      { subject: 'budget', version: 2 },
      { subject: 'budget', version: 3 },
      { subject: 'ledger', version: 1 },
    ]);
    const again = await aiaas(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^budget: up to date at version 3\nledger: up to date at version 1\n$/m);
  });

  it('db migrate refuses what is not a PostgreSQL connection string, and a schema name PostgreSQL would not take', async () => {
    const file = await aiaas(['db', 'migrate', 'spend.db']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /^aiaas db: expected a PostgreSQL connection string \(postgres:\/\/.*\), got 'spend\.db'\./,
    );
    const schema = await aiaas(['db', 'migrate', postgresUrl(), '--schema', 'Billing']);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/--schema must be a lower-case identifier .*, got 'Billing'/);
  });

  it('cost report on a database without a ledger fails, saying where it looked, and creates nothing', async () => {
    const schema = schemas.fresh();
    const report = await aiaas(['cost', 'report', postgresUrl(), '--schema', schema]);
    expect(report.code).toBe(1);
    expect(report.stdout).toBe('');
    expect(report.stderr).toMatch(
      new RegExp(
        `^aiaas cost report: There are no aiaas ledger tables in schema "${schema}" .*aiaas db migrate`,
      ),
    );
    expect(await schemaExists(schema)).toBe(false);
  });

  it('cost report reads a PostgreSQL ledger: exact totals per group', async () => {
    const schema = schemas.fresh();
    const ledger = new Ledger({ store: await PostgresLedgerStore.open(postgresUrl(), { schema }) });
    for (const [index, [model, cost]] of [
      ['ref-chat', '0.000000150'],
      ['ref-chat', '0.000000275'],
      ['ref-embed', '0.1'],
    ].entries()) {
      await ledger.append({
        model: model as string,
        provider: 'openai',
        idempotencyKey: `report-${index}`,
        attempt: 1,
        usage: makeUsage({ inputTokens: 10, outputTokens: 5 }),
        cost: Money.of(cost as string, 'USD'),
        status: 'ok',
        time: new Date('2026-11-21T12:00:00Z'),
      });
    }
    await ledger.close();
    const report = await aiaas(['cost', 'report', postgresUrl(), '--schema', schema, '--format', 'json']);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const parsed = JSON.parse(report.stdout);
    expect(parsed.totals).toEqual({ USD: '0.100000425' });
    expect(parsed.rows.map((row: { group: unknown; total: string }) => [row.group, row.total])).toEqual([
      [{ model: 'ref-chat' }, '0.000000425'],
      [{ model: 'ref-embed' }, '0.1'],
    ]);
  });

  it('cost recover brings a dead process’s billed calls into a PostgreSQL ledger and settles its budget there', async () => {
    const schema = schemas.fresh();
    const stores = { schema, maxConnections: 2 };
    const ledger = new Ledger({ store: await PostgresLedgerStore.open(postgresUrl(), stores) });
    const store = await PostgresBudgetStore.open(postgresUrl(), stores);
    // A process reserved a call, sent it (the server billed it), and died before it recorded anything.
    const dead = new Budget({
      limits: [],
      store: await PostgresBudgetStore.open(postgresUrl(), stores),
      leaseMs: 1_000,
    });
    const key = `cli-recover-${schema}`;
    await dead.reserve(Money.of('0.2', 'USD'), [], {
      idempotencyKey: key,
      model: 'ref-chat',
      provider: 'openai',
    });
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ model: 'ref-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 }),
    });
    expect(response.status).toBe(200);
    await response.json();
    await dead.close();
    await vi.waitFor(
      async () => {
        const [charge] = await store.charges({ idempotencyKeys: [key] });
        expect(charge?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
      },
      { timeout: 10_000, interval: 50 },
    );

    const url = postgresUrl();
    const recover = await aiaas([
      ...['cost', 'recover', '--ledger', url, '--budget', url, '--schema', schema],
      ...['--base-url', server.url, '--api-key', apiKey, '--format', 'json'],
    ]);
    expect(recover.stderr).toBe('');
    expect(recover.code).toBe(0);
    const result = JSON.parse(recover.stdout);
    const billed = (await new ServerBillingSource({ baseURL: server.url, apiKey }).records()).find(
      (record) => record.idempotencyKey === key,
    )?.cost as Money;
    expect(result.recovered.map((entry: { idempotencyKey: string }) => entry.idempotencyKey)).toEqual([key]);
    expect(result.settled).toEqual([
      expect.objectContaining({ idempotencyKey: key, billed: billed.toJSON(), was: 'lapsed' }),
    ]);
    expect((await ledger.entries({ idempotencyKey: key })).map((entry) => entry.cost?.toJSON())).toEqual([
      billed.toJSON(),
    ]);
    const [charge] = await store.charges({ idempotencyKeys: [key] });
    expect([charge?.state, charge?.spent?.equals(billed)]).toEqual(['settled', true]);
    await ledger.close();
    await store.close();
  });
});
