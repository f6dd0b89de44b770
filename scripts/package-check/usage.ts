// Typechecked in the fresh project with skipLibCheck: false and no optional peer installed.
import {
  AiaasClient,
  Budget,
  type ChatCompletion,
  chat,
  Ledger,
  Money,
  NotFoundError,
  PostgresBudgetStore,
  type PostgresBudgetStoreOptions,
  PostgresLedgerStore,
  type PostgresPool,
  SqliteBudgetStore,
  SqliteLedgerStore,
} from 'aiaas';
import { type ReferenceServer, startReferenceServer } from 'aiaas/server';
import { createTelemetryMiddleware, type TelemetryMiddleware, type TelemetryTracer } from 'aiaas/telemetry';
import { expectBilled, fault, faultHeaders, type ReferenceServerFixture } from 'aiaas/testing';

/** The PostgreSQL stores' types, checked without `pg` installed: a pool of the user's, or a URL. */
export async function openShared(pool: PostgresPool, url: string): Promise<Budget> {
  const options: PostgresBudgetStoreOptions = {
    schema: 'billing',
    tablePrefix: 'app_',
    retry: { attempts: 8 },
  };
  const ledger = new Ledger({ store: await PostgresLedgerStore.open(url, { maxConnections: 4 }) });
  return new Budget({
    limits: [{ limit: Money.of('5', 'USD') }],
    store: await PostgresBudgetStore.open(pool, options),
    ledger,
  });
}

export async function run(): Promise<string> {
  const server: ReferenceServer = await startReferenceServer({ port: 0, apiKeys: ['sk-typed'] });
  const tracer: TelemetryTracer = { startSpan: () => ({}) };
  const telemetry: TelemetryMiddleware = createTelemetryMiddleware({ tracer });
  const ledger = new Ledger({ store: await SqliteLedgerStore.open('spend.db') });
  const budget = new Budget({
    limits: [{ limit: Money.of('1', 'USD'), window: 'day' }],
    store: await SqliteBudgetStore.open('budget.db', { busyTimeoutMs: 2000 }),
  });
  const client = new AiaasClient({
    baseURL: server.url,
    apiKey: 'sk-typed',
    ledger,
    budget,
    middleware: [telemetry],
  });
  // @ts-expect-error: a provider aiaas does not speak is a type error, so the types are not `any`.
  new AiaasClient({ provider: 'anthropic' });
  const completion: ChatCompletion = await client.chat.completions.create(
    chat('ref-chat').user('hi').maxTokens(4),
    {
      headers: faultHeaders(fault.delay(1)),
    },
  );
  const cost: Money = Money.of('0.10', 'USD');
  const fixture: Pick<ReferenceServerFixture, 'url' | 'apiKey'> = { url: server.url, apiKey: 'sk-typed' };
  await expectBilled(client.ledger, fixture, { cost: false }).catch(
    (error: unknown) => error instanceof NotFoundError,
  );
  await server.close();
  return `${completion.choices[0]?.message.content} ${cost.toDecimalString()}`;
}
