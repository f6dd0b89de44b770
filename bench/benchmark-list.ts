import { runClientOverhead } from './benchmarks/client-overhead.js';
import { runCostLayer } from './benchmarks/cost-layer.js';
import { runIdleStreamMemory } from './benchmarks/idle-stream-memory.js';
import { runPostgresBudget } from './benchmarks/postgres-budget.js';
import { runStreamingParse } from './benchmarks/streaming-parse.js';
import type { BenchContext } from './harness/bench-context.js';
import type { BenchmarkResult } from './harness/result-types.js';
import { runModelDeployment } from './server/model-deployment.js';
import { runServerThroughput } from './server/server-throughput.js';
import { runStructuredDecoding } from './server/structured-decoding.js';
import { runTrainingThroughput } from './training/training-throughput.js';

export interface Benchmark {
  name: string;
  run: (context: BenchContext) => Promise<BenchmarkResult>;
}

/** Every benchmark, in the order `npm run bench` runs them. */
export const benchmarks: readonly Benchmark[] = [
  { name: 'client-overhead', run: runClientOverhead },
  { name: 'streaming-parse', run: runStreamingParse },
  { name: 'idle-stream-memory', run: runIdleStreamMemory },
  { name: 'server-throughput', run: runServerThroughput },
  { name: 'structured-decoding', run: runStructuredDecoding },
  { name: 'model-deployment', run: runModelDeployment },
  { name: 'cost-layer', run: runCostLayer },
  { name: 'postgres-budget', run: runPostgresBudget },
  { name: 'training', run: runTrainingThroughput },
];
