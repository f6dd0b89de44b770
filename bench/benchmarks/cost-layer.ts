import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { loadCostLayer } from '../harness/load-sdk.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure, Ratio } from '../harness/result-types.js';
import { microsecondsPerOperation, sampleLedgerInput, sampleText } from './cost-layer-workloads.js';

type CostLayer = Awaited<ReturnType<typeof loadCostLayer>>;
type Ledger = InstanceType<CostLayer['Ledger']>;
type Budget = InstanceType<CostLayer['Budget']>;
type Reservation = Awaited<ReturnType<Budget['reserve']>>;

const ledgerNames = ['array', 'memory', 'jsonl', 'sqlite'] as const;
type LedgerName = (typeof ledgerNames)[number];
const ledgerLabels: Record<LedgerName, string> = {
  array: 'plain array push of a frozen entry (the limit)',
  memory: 'Ledger.append, MemoryLedgerStore',
  jsonl: 'Ledger.append, JsonlLedgerStore (fsync)',
  sqlite: 'Ledger.append, SqliteLedgerStore (WAL, synchronous=FULL)',
};
const budgetNames = ['memory', 'sqlite'] as const;
type BudgetName = (typeof budgetNames)[number];
const budgetLabels: Record<BudgetName, string> = {
  memory: 'MemoryBudgetStore',
  sqlite: 'SqliteBudgetStore',
};

async function openLedgers(cost: CostLayer, directory: string) {
  const ledgers: Record<Exclude<LedgerName, 'array'>, Ledger> = {
    memory: new cost.Ledger({ store: new cost.MemoryLedgerStore() }),
    jsonl: new cost.Ledger({ store: new cost.JsonlLedgerStore(join(directory, 'ledger.jsonl')) }),
    sqlite: new cost.Ledger({ store: await cost.SqliteLedgerStore.open(join(directory, 'ledger.db')) }),
  };
  return ledgers;
}

async function openBudgets(cost: CostLayer, directory: string) {
  // A daily global cap and a per-team cap: two hard checks per reservation, as a typical app sets.
  const limits = [
    { limit: cost.Money.of('1000000', 'USD'), window: 'day' as const },
    { scope: 'tag:team=search', limit: cost.Money.of('1000000', 'USD') },
  ];
  const budgets: Record<BudgetName, Budget> = {
    memory: new cost.Budget({ limits, store: new cost.MemoryBudgetStore() }),
    sqlite: new cost.Budget({ limits, store: await cost.SqliteBudgetStore.open(join(directory, 'budget.db')) }),
  };
  return budgets;
}

export async function runCostLayer(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rounds = bySize(context.size, { tiny: 2, full: 7 });
  const durationMs = bySize(context.size, { tiny: 20, full: 250 });
  const reservationsPerRound = bySize(context.size, { tiny: 200, full: 2_000 });
  const cost = await loadCostLayer();
  const directory = await mkdtemp(join(tmpdir(), 'aiaas-bench-cost-'));
  const ledgers = await openLedgers(cost, directory);
  const budgets = await openBudgets(cost, directory);
  const input = sampleLedgerInput(cost);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  try {
    context.log(`cost-layer: ledger append, ${rounds} rounds x ${durationMs} ms per store`);
    const plainEntries: unknown[] = [];
    let sequence = 0;
    const append: Record<LedgerName, () => Promise<number>> = {
      array: () =>
        microsecondsPerOperation(() => {
          plainEntries.push(Object.freeze({ ...input, id: `entry-${sequence++}`, time: new Date() }));
        }, durationMs),
      memory: () => microsecondsPerOperation(() => ledgers.memory.append(input), durationMs),
      jsonl: () => microsecondsPerOperation(() => ledgers.jsonl.append(input), durationMs),
      sqlite: () => microsecondsPerOperation(() => ledgers.sqlite.append(input), durationMs),
    };
    const appendSamples = await runInterleaved(append, { rounds, warmupRounds: 1 });
    for (const name of ledgerNames) {
      figures.push(
        makeFigure(
          {
            id: `ledger-${name}`,
            label: ledgerLabels[name],
            unit: 'µs/append',
            ...(name === 'memory' ? { target: { comparison: '<', value: 2 } } : {}),
          },
          appendSamples[name],
        ),
      );
    }
    const appendSeries = (name: LedgerName) => ({ id: `ledger-${name}`, samples: appendSamples[name] });
    ratios.push(
      makeRatio(
        { id: 'memory-ledger-vs-array', label: 'MemoryLedgerStore append time / plain array push (cost factor)' },
        appendSeries('memory'),
        appendSeries('array'),
      ),
    );

    context.log(`cost-layer: budget reserve then settle, ${reservationsPerRound} per round per store`);
    const settleSamples = Object.fromEntries(budgetNames.map((name) => [name, [] as number[]])) as Record<
      BudgetName,
      number[]
    >;
    const amount = cost.Money.of('0.002', 'USD');
    const actual = cost.Money.of('0.0011', 'USD');
    const scopes = ['tag:team=search'];
    const reserveThenSettle = (name: BudgetName) => async () => {
      const budget = budgets[name];
      const held: Reservation[] = [];
      let reserveStarted = performance.now();
      for (let index = 0; index < reservationsPerRound; index += 1) held.push(await budget.reserve(amount, scopes));
      const reserveMicroseconds = ((performance.now() - reserveStarted) * 1000) / reservationsPerRound;
      reserveStarted = performance.now();
      for (const reservation of held) await budget.settle(reservation, actual);
      settleSamples[name].push(((performance.now() - reserveStarted) * 1000) / reservationsPerRound);
      return reserveMicroseconds;
    };
    const reserveSamples = await runInterleaved(
      { memory: reserveThenSettle('memory'), sqlite: reserveThenSettle('sqlite') },
      { rounds, warmupRounds: 1 },
    );
    const totalCharges = (rounds + 1) * reservationsPerRound;
    for (const name of budgetNames) {
      // The warm-up round's settle time is dropped, like its reserve time.
      const settled = settleSamples[name].slice(-rounds);
      figures.push(
        makeFigure(
          { id: `reserve-${name}`, label: `Budget.reserve, ${budgetLabels[name]}`, unit: 'µs/reserve' },
          reserveSamples[name],
        ),
        makeFigure(
          {
            id: `settle-${name}`,
            label: `Budget.settle, ${budgetLabels[name]}`,
            unit: 'µs/settle',
            ...(name === 'memory' ? { target: { comparison: '<', value: 2 } } : {}),
          },
          settled,
        ),
      );
    }
    ratios.push(
      makeRatio(
        { id: 'sqlite-vs-memory-reserve', label: 'SqliteBudgetStore / MemoryBudgetStore reserve time' },
        { id: 'reserve-sqlite', samples: reserveSamples.sqlite },
        { id: 'reserve-memory', samples: reserveSamples.memory },
      ),
    );

    context.log('cost-layer: token estimate throughput');
    const text = sampleText(bySize(context.size, { tiny: 16_384, full: 262_144 }));
    const megabytes = Buffer.byteLength(text) / 2 ** 20;
    const plainText = { disallowedSpecial: new Set<string>() };
    const tokenizerSamples = await runInterleaved(
      {
        estimate: async () => {
          const tokenizeStarted = performance.now();
          cost.estimateTokens(text);
          return megabytes / ((performance.now() - tokenizeStarted) / 1000);
        },
        direct: async () => {
          const tokenizeStarted = performance.now();
          countTokens(text, plainText);
          return megabytes / ((performance.now() - tokenizeStarted) / 1000);
        },
      },
      { rounds, warmupRounds: 1 },
    );
    figures.push(
      makeFigure({ id: 'estimate-tokens', label: 'estimateTokens (o200k)', unit: 'MiB/s' }, tokenizerSamples.estimate),
      makeFigure(
        { id: 'count-tokens', label: 'gpt-tokenizer countTokens directly (the limit)', unit: 'MiB/s' },
        tokenizerSamples.direct,
      ),
    );
    ratios.push(
      makeRatio(
        { id: 'estimate-vs-direct', label: 'estimateTokens / gpt-tokenizer countTokens' },
        { id: 'estimate-tokens', samples: tokenizerSamples.estimate },
        { id: 'count-tokens', samples: tokenizerSamples.direct },
      ),
    );
    return {
      name: 'cost-layer',
      title: 'Cost layer: ledger appends, budget reservations, token estimates',
      notes: [
        'One ledger and one budget per store for the whole run, so they grow as in a long-lived app.',
        `Each budget held ${totalCharges} settled charges at the end; reserve time grows with them in stores that scan.`,
        'Reserve and settle are timed separately over the same reservations.',
      ],
      figures,
      ratios,
      durationMs: Date.now() - started,
    };
  } finally {
    await Promise.all([...Object.values(ledgers), ...Object.values(budgets)].map((item) => item.close()));
    await rm(directory, { recursive: true, force: true });
  }
}
