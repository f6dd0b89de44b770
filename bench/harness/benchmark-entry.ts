// Runs one benchmark in a process of its own (see benchmark-process.ts for why) and sends its
// result to the runner.
import { benchmarks } from '../benchmark-list.js';
import type { BenchContext } from './bench-context.js';
import { tellParent } from './child-process.js';

const [name, size, warmupRounds] = process.argv.slice(2);
const benchmark = benchmarks.find((candidate) => candidate.name === name);
if (benchmark === undefined) throw new Error(`benchmark-entry: no benchmark named ${name}`);
if (size !== 'tiny' && size !== 'full')
  throw new Error(`benchmark-entry: size must be tiny or full, got ${size}`);
const context: BenchContext = {
  size,
  log: (line) => process.stderr.write(`${line}\n`),
  warmupRounds: Number(warmupRounds),
};
tellParent({ type: 'ready' });
const result = await benchmark.run(context);
tellParent({ type: 'result', result });
// The IPC channel keeps the process alive; the runner waits for it to exit.
process.disconnect?.();
