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
const labels: Record<StoreName, string> = {
  array: 'plain array push of an equivalent frozen entry (the floor)',
  memory: 'Ledger.append, MemoryLedgerStore',
  jsonl: 'Ledger.append, JsonlLedgerStore (fsync each append)',
  sqlite: 'Ledger.append, SqliteLedgerStore (WAL, synchronous=FULL)',
};

/** Ledger appends per store, one ledger per store for the whole run (it grows as a long-lived app's does). */
export async function measureLedgerAppend(settings: CostLayerSettings): Promise<CostLayerPart> {
  const { cost, rounds, durationMs, directory } = settings;
  const ledgers = {
    memory: new cost.Ledger({ store: new cost.MemoryLedgerStore() }),
    jsonl: new cost.Ledger({ store: new cost.JsonlLedgerStore(join(directory, 'ledger.jsonl')) }),
    sqlite: new cost.Ledger({ store: await cost.SqliteLedgerStore.open(join(directory, 'ledger.db')) }),
  };
  const input = sampleLedgerInput(cost);
  const plainEntries: unknown[] = [];
  let sequence = 0;
  settings.log(`cost-layer: ledger append, ${rounds} rounds x ${durationMs} ms per store`);
  try {
    const samples = await runInterleaved<StoreName>(
      {
        array: () =>
          microsecondsPerOperation(() => {
            plainEntries.push(Object.freeze({ ...input, id: `entry-${sequence++}`, time: new Date() }));
          }, durationMs),
        memory: () => microsecondsPerOperation(() => ledgers.memory.append(input), durationMs),
        jsonl: () => microsecondsPerOperation(() => ledgers.jsonl.append(input), durationMs),
        sqlite: () => microsecondsPerOperation(() => ledgers.sqlite.append(input), durationMs),
      },
      { rounds, warmupRounds: 1 },
    );
    const memoryEntries = (await ledgers.memory.entries()).length;
    return {
      figures: storeNames.map((name) =>
        makeFigure(
          {
            id: `ledger-${name}`,
            label: labels[name],
            unit: 'µs/append',
            ...(name === 'memory' ? { target: { comparison: '<', value: 2 } } : {}),
          },
          samples[name],
        ),
      ),
      ratios: [
        makeRatio(
          { id: 'memory-ledger-vs-array', label: 'MemoryLedgerStore append time / plain array push' },
          { id: 'ledger-memory', samples: samples.memory },
          { id: 'ledger-array', samples: samples.array },
        ),
      ],
      notes: [`The memory ledger held ${memoryEntries} entries at the end.`],
    };
  } finally {
    await Promise.all(Object.values(ledgers).map((ledger) => ledger.close()));
  }
}
