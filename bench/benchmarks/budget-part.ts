import { join } from 'node:path';
import { type TimedWork, timeWork } from '../harness/cpu-time.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { Figure } from '../harness/result-types.js';
import type { CostLayer, CostLayerPart, CostLayerSettings } from './cost-layer-workloads.js';

type Budget = InstanceType<CostLayer['Budget']>;
type BudgetStore = Budget['store'];
type Reservation = Awaited<ReturnType<Budget['reserve']>>;

const storeNames = ['memory', 'sqlite'] as const;
type StoreName = (typeof storeNames)[number];
const labels: Record<StoreName, string> = { memory: 'MemoryBudgetStore', sqlite: 'SqliteBudgetStore' };
const scopes = ['tag:team=search'];

/** A daily global cap and a per-team cap: two hard checks per reservation, as a typical app sets. */
function limitedBudget(cost: CostLayer, store: BudgetStore): Budget {
  const limits = [
    { limit: cost.Money.of('1000000', 'USD'), window: 'day' as const },
    { scope: 'tag:team=search', limit: cost.Money.of('1000000', 'USD') },
  ];
  return new cost.Budget({ limits, store });
}

/**
 * Reserve then settle, per store: each round reserves for the round time on a fresh store, then
 * settles every reservation it made, timing the two apart. A second measure shows how reserve
 * time grows with the charges a memory store already holds.
 */
export async function measureBudget(
  settings: CostLayerSettings,
  priorCharges: { few: number; many: number },
): Promise<CostLayerPart> {
  const { cost, rounds, durationMs, operationsPerRound, directory } = settings;
  const amount = cost.Money.of('0.002', 'USD');
  const actual = cost.Money.of('0.0011', 'USD');
  let files = 0;
  const freshStore = async (name: StoreName): Promise<BudgetStore> =>
    name === 'memory'
      ? new cost.MemoryBudgetStore()
      : cost.SqliteBudgetStore.open(join(directory, `budget-${files++}.db`));
  const memoryReservations = Math.min(operationsPerRound, 2_000);
  const settleSamples: Record<StoreName, number[]> = { memory: [], sqlite: [] };
  // Memory stores are timed in CPU time (steady on a shared machine), SQLite by the clock (it waits for the disk).
  const microseconds = (name: StoreName, timed: TimedWork<unknown>) =>
    (name === 'memory' ? timed.cpuMs : timed.wallMs) * 1000;
  /** One fresh budget: reserves, then settles them all; the two timed apart. */
  const reserveThenSettleOnce = async (name: StoreName) => {
    const budget = limitedBudget(cost, await freshStore(name));
    const held: Reservation[] = [];
    // A fresh memory store would be scanned longer and longer within a round (reserve time grows with
    // the charges it holds), so it gets a fixed count; SQLite's round is timed (milliseconds each).
    const deadline = performance.now() + durationMs;
    const count = name === 'memory' ? memoryReservations : Number.POSITIVE_INFINITY;
    const reserving = await timeWork(async () => {
      // At least one, so a round the machine delayed past its deadline still has a figure (0/0 is NaN).
      while (
        held.length < count &&
        (held.length === 0 || name === 'memory' || performance.now() < deadline)
      ) {
        held.push(await budget.reserve(amount, scopes));
      }
    });
    const settling = await timeWork(async () => {
      for (const reservation of held) await budget.settle(reservation, actual);
    });
    await budget.close();
    return { reserving, settling, operations: held.length };
  };
  // 2,000 memory settles take about 2 ms of CPU, where one collection or compiler thread's work
  // (process CPU time counts every thread) doubles a figure: a memory round repeats the batch.
  const memoryBatches = Math.max(1, Math.round(operationsPerRound / memoryReservations));
  const reserveThenSettle = (name: StoreName) => async () => {
    let reserving = 0;
    let settling = 0;
    let operations = 0;
    for (let batch = 0; batch < (name === 'memory' ? memoryBatches : 1); batch++) {
      const once = await reserveThenSettleOnce(name);
      reserving += microseconds(name, once.reserving);
      settling += microseconds(name, once.settling);
      operations += once.operations;
    }
    settleSamples[name].push(settling / operations);
    return reserving / operations;
  };
  settings.log(`cost-layer: budget reserve then settle, ${rounds} rounds x ${durationMs} ms per store`);
  const reserveSamples = await runInterleaved(
    { memory: reserveThenSettle('memory'), sqlite: reserveThenSettle('sqlite') },
    { rounds, warmupRounds: settings.warmupRounds },
  );

  // Prior charges are made through a budget without limits, which records them without tallying.
  const reserveAfter = (priorCharges: number) => async () => {
    const store = new cost.MemoryBudgetStore();
    const filler = new cost.Budget({ limits: [], store });
    for (let index = 0; index < priorCharges; index += 1) {
      await filler.settle(await filler.reserve(amount, scopes), actual);
    }
    const budget = limitedBudget(cost, store);
    const measured = 200;
    const reserving = await timeWork(async () => {
      for (let index = 0; index < measured; index += 1) await budget.reserve(amount, scopes);
    });
    return (reserving.cpuMs * 1000) / measured;
  };
  const few = priorCharges.few.toLocaleString('en-US');
  const many = priorCharges.many.toLocaleString('en-US');
  settings.log(`cost-layer: memory budget reserve after ${few} and ${many} prior charges`);
  const growth = await runInterleaved(
    { few: reserveAfter(priorCharges.few), many: reserveAfter(priorCharges.many) },
    { rounds, warmupRounds: settings.warmupRounds },
  );

  const figures: Figure[] = [];
  for (const name of storeNames) {
    figures.push(
      makeFigure(
        {
          id: `reserve-${name}`,
          label: `Budget.reserve, ${labels[name]}, ${name === 'memory' ? `first ${memoryReservations.toLocaleString('en-US')} charges` : `fresh store, ${durationMs} ms`}`,
          unit: name === 'memory' ? 'CPU µs/reserve' : 'µs/reserve',
        },
        reserveSamples[name],
      ),
      makeFigure(
        {
          id: `settle-${name}`,
          label: `Budget.settle, ${labels[name]}`,
          unit: name === 'memory' ? 'CPU µs/settle' : 'µs/settle',
          ...(name === 'memory' ? { target: { comparison: '<', value: 2 } } : {}),
        },
        // The warm-up round's settle time is dropped, like its reserve time.
        settleSamples[name].slice(-rounds),
      ),
    );
  }
  figures.push(
    makeFigure(
      {
        id: 'reserve-memory-few',
        label: `Budget.reserve, MemoryBudgetStore, ${few} prior charges`,
        unit: 'CPU µs/reserve',
      },
      growth.few,
    ),
    makeFigure(
      {
        id: 'reserve-memory-many',
        label: `Budget.reserve, MemoryBudgetStore, ${many} prior charges`,
        unit: 'CPU µs/reserve',
      },
      growth.many,
    ),
  );
  return {
    figures,
    ratios: [
      makeRatio(
        { id: 'sqlite-vs-memory-reserve', label: 'SqliteBudgetStore / MemoryBudgetStore reserve time' },
        { id: 'reserve-sqlite', samples: reserveSamples.sqlite },
        { id: 'reserve-memory', samples: reserveSamples.memory },
      ),
      makeRatio(
        {
          id: 'memory-reserve-growth',
          label: `MemoryBudgetStore reserve time, ${many} / ${few} prior charges (1 = constant time)`,
        },
        { id: 'reserve-memory-many', samples: growth.many },
        { id: 'reserve-memory-few', samples: growth.few },
      ),
    ],
    notes: ['Reserve and settle are timed apart over the same reservations, on a fresh store each round.'],
  };
}
