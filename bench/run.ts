// `npm run bench [-- --size tiny|full] [--only name[,name]] [--output file | --update-snapshot]`:
// runs the benchmarks, prints one table on stdout (progress goes to stderr) and writes the
// results as JSON: by default to a new untracked file under bench/results/runs/; the tracked
// bench/results/latest.json, which the READMEs quote, only with --update-snapshot.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { benchmarks } from './benchmark-list.js';
import { parseBenchArguments } from './harness/bench-arguments.js';
import { runInOwnProcess } from './harness/benchmark-process.js';
import { machineInfo } from './harness/machine-info.js';
import { prepareSdk } from './harness/prepare-sdk.js';
import type { BenchmarkResult, BenchRun } from './harness/result-types.js';
import { resultsPath, writeResults } from './harness/results-location.js';
import { formatResultsTable } from './harness/results-table.js';

const options = parseBenchArguments(process.argv.slice(2));
const unknown = options.only.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
if (unknown.length > 0) {
  const known = benchmarks.map((benchmark) => benchmark.name).join(', ');
  throw new Error(`Unknown benchmark ${unknown.join(', ')}; the benchmarks are ${known}.`);
}
const selected = benchmarks.filter(
  (benchmark) => options.only.length === 0 || options.only.includes(benchmark.name),
);

const machine = machineInfo();
const startedAt = new Date();
const results: BenchmarkResult[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);
const sdk = await prepareSdk(options.sdk);
try {
  for (const benchmark of selected) {
    log(`== ${benchmark.name}`);
    results.push(
      await runInOwnProcess(benchmark.name, {
        size: options.size,
        log,
        warmupRounds: options.size === 'tiny' ? 0 : 1,
      }),
    );
  }
} finally {
  await sdk.dispose();
}

const judged = results.flatMap((result) => [...result.figures, ...result.ratios]).map((item) => item.target);
const run: BenchRun = {
  schemaVersion: 1,
  size: options.size,
  sdk: options.sdk,
  startedAt: startedAt.toISOString(),
  durationMs: Date.now() - startedAt.getTime(),
  machine,
  benchmarks: results,
  targets: {
    passed: judged.filter((target) => target?.pass === true).length,
    failed: judged.filter((target) => target?.pass === false).length,
  },
};
const output = resultsPath(options, startedAt, options.size);
await mkdir(dirname(output), { recursive: true });
await writeResults(output, `${JSON.stringify(run, null, 2)}\n`);
process.stdout.write(`${formatResultsTable(run)}\n`);
log(`results written to ${output}`);
if (options.updateSnapshot) log('the tracked snapshot changed: update the figures the READMEs quote from it');
