import { join } from 'node:path';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import {
  type CostLayerPart,
  type CostLayerSettings,
  microsecondsPerOperation,
  sampleLedgerInput,
} from './cost-layer-workloads.js';

const storeNames = ['array', 'memory', 'jsonl', 'sqlite'] as const;
type StoreName = (typeof storeNames)[number];
// In-memory appends are timed in CPU time (steady on a shared machine); file-backed ones by the
// clock, since they spend their time waiting for the disk.
const inMemoryStores = new Set<StoreName>(['array', 'memory']);
const labels: Record<StoreName, string> = {
  array: 'array push of an equivalent frozen entry literal (the floor)',
  memory: 'Ledger.append, MemoryLedgerStore',
  jsonl: 'Ledger.append, JsonlLedgerStore (fsync each append)',
  sqlite: 'Ledger.append, SqliteLedgerStore (WAL, synchronous=FULL)',
};

/**
 * Ledger appends per store. The in-memory ones start empty each round and make a fixed number of
 * appends, so the heap stays bounded and garbage collection of earlier rounds does not land in
 * later ones; the file-backed ones append to one file for the whole run, for a fixed time.
 */
export async function measureLedgerAppend(settings: CostLayerSettings): Promise<CostLayerPart> {
  const { cost, rounds, durationMs, operationsPerRound, directory } = settings;
  const ledgers = {
    jsonl: new cost.Ledger({ store: new cost.JsonlLedgerStore(join(directory, 'ledger.jsonl')) }),
    sqlite: new cost.Ledger({ store: await cost.SqliteLedgerStore.open(join(directory, 'ledger.db')) }),
  };
  const input = sampleLedgerInput(cost);
  const inMemory = { count: operationsPerRound };
  settings.log(`cost-layer: ledger append, ${rounds} rounds per store`);
  try {
    const samples = await runInterleaved<StoreName>(
      {
        array: async () => {
          const entries: unknown[] = [];
          // An object literal, not a spread: in this V8 `{ ...input, id }` alone costs microseconds.
          const append = () => {
            entries.push(
              Object.freeze({
                id: `entry-${entries.length}`,
                requestId: input.requestId,
                idempotencyKey: input.idempotencyKey,
                attempt: input.attempt,
                model: input.model,
                provider: input.provider,
                usage: input.usage,
                cost: input.cost,
                tags: input.tags,
                time: new Date(),
                status: input.status,
              }),
            );
          };
          return (await microsecondsPerOperation(append, inMemory)).cpu;
        },
        memory: async () => {
          const ledger = new cost.Ledger({ store: new cost.MemoryLedgerStore() });
          return (await microsecondsPerOperation(() => ledger.append(input), inMemory)).cpu;
        },
        jsonl: async () =>
          (await microsecondsPerOperation(() => ledgers.jsonl.append(input), { durationMs })).wall,
        sqlite: async () =>
          (await microsecondsPerOperation(() => ledgers.sqlite.append(input), { durationMs })).wall,
      },
      { rounds, warmupRounds: settings.warmupRounds },
    );
    return {
      figures: storeNames.map((name) =>
        makeFigure(
          {
            id: `ledger-${name}`,
            label: labels[name],
            unit: inMemoryStores.has(name) ? 'CPU µs/append' : 'µs/append',
            ...(name === 'memory' ? { target: { comparison: '<', value: 2 } } : {}),
          },
          samples[name],
        ),
      ),
      ratios: [
        makeRatio(
          {
            id: 'memory-ledger-vs-array',
            label: 'MemoryLedgerStore append time / array push of the entry (the floor)',
          },
          { id: 'ledger-memory', samples: samples.memory },
          { id: 'ledger-array', samples: samples.array },
        ),
      ],
      notes: [`In-memory ledgers start empty each round and take ${operationsPerRound} appends.`],
    };
  } finally {
    await Promise.all(Object.values(ledgers).map((ledger) => ledger.close()));
  }
}
