import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { loadCostLayer } from '../harness/load-sdk.js';
import type { BenchmarkResult } from '../harness/result-types.js';
import { measureBudget } from './budget-part.js';
import type { CostLayerPart } from './cost-layer-workloads.js';
import { measureLedgerAppend } from './ledger-append-part.js';
import { measureTokenEstimate } from './token-estimate-part.js';

export async function runCostLayer(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const directory = await mkdtemp(join(tmpdir(), 'aiaas-bench-cost-'));
  const settings = {
    cost: await loadCostLayer(),
    rounds: bySize(context.size, { tiny: 2, full: 7 }),
    durationMs: bySize(context.size, { tiny: 20, full: 250 }),
    operationsPerRound: bySize(context.size, { tiny: 2_000, full: 50_000 }),
    directory,
    log: context.log,
    warmupRounds: context.warmupRounds,
  };
  const parts: CostLayerPart[] = [];
  try {
    // Tokenizing first: it is the most sensitive to a large heap left by the other parts.
    parts.push(await measureTokenEstimate(settings, bySize(context.size, { tiny: 16_384, full: 262_144 })));
    parts.push(await measureLedgerAppend(settings));
    parts.push(
      await measureBudget(
        settings,
        bySize(context.size, { tiny: { few: 100, many: 1_000 }, full: { few: 1_000, many: 10_000 } }),
      ),
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return {
    name: 'cost-layer',
    title: 'Cost layer: ledger appends, budget reservations, token estimates',
    notes: parts.flatMap((part) => part.notes),
    figures: parts.flatMap((part) => part.figures),
    ratios: parts.flatMap((part) => part.ratios),
    durationMs: Date.now() - started,
  };
}
