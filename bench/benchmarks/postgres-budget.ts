import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostgresCluster } from '../../test/support/postgres-cluster.js';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runClosedLoop } from '../harness/closed-loop.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { loadCostLayer } from '../harness/load-sdk.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure, Ratio } from '../harness/result-types.js';

const concurrencies = [1, 32] as const;
type Concurrency = (typeof concurrencies)[number];
type Contender = `floor-${Concurrency}` | `store-${Concurrency}`;

/** Where the benchmark runs; a throwaway cluster is removed whole, so its tables need no dropping. */
interface BenchPostgres {
  readonly url: string;
  readonly throwaway: boolean;
  stop(): Promise<void>;
}

/** The server the store tests use: AIAAS_TEST_POSTGRES_URL, or a throwaway cluster from the local binaries. */
async function findPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const given = process.env.AIAAS_TEST_POSTGRES_URL;
  if (given !== undefined && given !== '') return { url: given, throwaway: false, stop: async () => {} };
  log('postgres-budget: starting a throwaway PostgreSQL cluster');
  return { ...(await startPostgresCluster()), throwaway: true };
}

/**
 * The floor: what one call would cost if a reservation and a settlement were each nothing but one
 * conditional UPDATE of one hot row, decided in the database — the least any correct shared budget
 * can do. Returns one call (both round trips).
 */
async function floorCall(pool: pg.Pool, table: string): Promise<() => Promise<void>> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (id integer PRIMARY KEY, spent numeric(40, 0) NOT NULL,
       reserved numeric(40, 0) NOT NULL, cap numeric(40, 0) NOT NULL)`,
  );
  await pool.query(`INSERT INTO ${table} VALUES (1, 0, 0, 1e30) ON CONFLICT (id) DO NOTHING`);
  const reserve = `UPDATE ${table} SET reserved = reserved + $1 WHERE id = 1 AND spent + reserved + $1 <= cap RETURNING reserved`;
  const settle = `UPDATE ${table} SET reserved = reserved - $1, spent = spent + $2 WHERE id = 1 AND reserved >= $1 RETURNING spent`;
  return async () => {
    const held = await pool.query(reserve, ['2000000000']);
    if (held.rowCount !== 1) throw new Error('the floor refused a reservation');
    await pool.query(settle, ['2000000000', '1100000000']);
  };
}

/** Opens every pool's connections before the first measured round. */
async function warm(call: () => Promise<void>, concurrency: number): Promise<void> {
  await Promise.all(Array.from({ length: concurrency }, call));
}

/**
 * `PostgresBudgetStore` reserve then settle per call, through a `Budget` with one hard limit, at
 * concurrency 1 and 32 against one budget, beside the floor of the same work done as bare
 * conditional UPDATEs over the same number of connections of the same cluster, in the same rounds.
 */
export async function runPostgresBudget(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const cost = await loadCostLayer();
  const rounds = bySize(context.size, { tiny: 2, full: 7 });
  const durationMs = bySize(context.size, { tiny: 50, full: 1_000 });
  const postgres = await findPostgres(context.log);
  const schema = `aiaas_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: postgres.url, max: 1 });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const calls = {} as Record<Contender, () => Promise<void>>;
    for (const concurrency of concurrencies) {
      const pool = new pg.Pool({ connectionString: postgres.url, max: concurrency });
      closers.push(() => pool.end());
      calls[`floor-${concurrency}`] = await floorCall(pool, `${schema}.floor_${concurrency}`);
      // One budget per concurrency (its own tables), so each starts from the same few charges.
      const store = await cost.PostgresBudgetStore.open(postgres.url, {
        schema,
        tablePrefix: `store_${concurrency}_`,
        maxConnections: concurrency,
      });
      const budget = new cost.Budget({ limits: [{ limit: cost.Money.of('1000000000', 'USD') }], store });
      closers.push(() => budget.close());
      const amount = cost.Money.of('0.002', 'USD');
      const actual = cost.Money.of('0.0011', 'USD');
      calls[`store-${concurrency}`] = async () => {
        await budget.settle(await budget.reserve(amount), actual);
      };
      await warm(calls[`floor-${concurrency}`], concurrency);
      await warm(calls[`store-${concurrency}`], concurrency);
    }
    const ratePerSecond: number[] = [];
    const measure = (name: Contender, concurrency: Concurrency) => async () => {
      const run = await runClosedLoop(calls[name], { concurrency, durationMs });
      if (name === 'store-32') ratePerSecond.push((run.completed / run.elapsedMs) * 1000);
      // Wall time per completed call: the latency at 1, the inverse of the throughput at 32.
      return (run.elapsedMs * 1000) / run.completed;
    };
    context.log(`postgres-budget: reserve+settle vs bare UPDATEs, ${rounds} rounds x ${durationMs} ms each`);
    const samples = await runInterleaved(
      {
        'floor-1': measure('floor-1', 1),
        'store-1': measure('store-1', 1),
        'floor-32': measure('floor-32', 32),
        'store-32': measure('store-32', 32),
      },
      { rounds, warmupRounds: context.warmupRounds },
    );
    const figures: Figure[] = [];
    const ratios: Ratio[] = [];
    for (const concurrency of concurrencies) {
      const floor = `floor-${concurrency}` as const;
      const store = `store-${concurrency}` as const;
      figures.push(
        makeFigure(
          {
            id: floor,
            label: `floor: 2 bare conditional UPDATE round trips per call, concurrency ${concurrency}`,
            unit: 'µs/call',
          },
          samples[floor],
        ),
        makeFigure(
          {
            id: store,
            label: `PostgresBudgetStore reserve+settle per call, concurrency ${concurrency}`,
            unit: 'µs/call',
          },
          samples[store],
        ),
      );
      ratios.push(
        makeRatio(
          {
            id: `store-vs-floor-${concurrency}`,
            label: `PostgresBudgetStore reserve+settle / bare UPDATE floor, concurrency ${concurrency}`,
            target: { comparison: '<=', value: 1.5 },
          },
          { id: store, samples: samples[store] },
          { id: floor, samples: samples[floor] },
        ),
      );
    }
    figures.push(
      makeFigure(
        {
          id: 'store-reserves-per-second-32',
          label: 'PostgresBudgetStore reserves/s, concurrency 32',
          unit: 'reserves/s',
        },
        ratePerSecond.slice(-rounds),
      ),
    );
    return {
      name: 'postgres-budget',
      title: 'PostgreSQL budget: reserve and settle against the floor of bare conditional UPDATEs',
      notes: [
        'Each store operation is one round trip (a function call in the database); the floor makes the same two round trips per call as bare conditional UPDATE ... RETURNING of one row, on as many connections of the same cluster.',
        'Both serialise on one hot row, so at concurrency 32 a call costs the time each holds that row: wall time per completed call, the inverse of the throughput.',
        process.env.AIAAS_TEST_POSTGRES_URL
          ? 'PostgreSQL: AIAAS_TEST_POSTGRES_URL.'
          : 'PostgreSQL: a throwaway local cluster (fsync off).',
      ],
      figures,
      ratios,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const close of closers) await close().catch(() => {});
    if (!postgres.throwaway) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
    await postgres.stop();
  }
}
