import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './bench-context.js';
import { BenchChild } from './child-process.js';
import type { BenchmarkResult } from './result-types.js';

/** The longest one benchmark may run before the runner gives up on it. */
const benchmarkTimeoutMs = 30 * 60_000;

/**
 * Runs a benchmark in a fresh node process. In one shared process, every benchmark ran on the heap,
 * the compiled code and the inline caches the earlier ones left: the cost layer's sub-microsecond
 * figures, run after the server benchmarks, came out 1.5× what they are in a process of their own,
 * as a user's process would have them.
 */
export async function runInOwnProcess(name: string, context: BenchContext): Promise<BenchmarkResult> {
  const entry = fileURLToPath(new URL('./benchmark-entry.ts', import.meta.url));
  const { child } = await BenchChild.start(entry, {
    args: [name, context.size, String(context.warmupRounds)],
    messageTimeoutMs: benchmarkTimeoutMs,
  });
  const exited = once(child.process, 'exit');
  const { result } = await child.receive('result');
  const [code] = await exited;
  if (code !== 0) throw new Error(`benchmark ${name} exited with code ${code} after sending its result`);
  return result as BenchmarkResult;
}
