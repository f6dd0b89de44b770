import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRun, Figure, Ratio } from '../../bench/harness/result-types.js';

const runner = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

// The harness is run the way `npm run bench` runs it, at the tiny size: this proves it works and
// writes well-formed results. It asserts no performance target: a benchmark is not a timed test.
describe('npm run bench -- --size tiny', () => {
  let directory: string;
  let bench: ReturnType<typeof spawn> | undefined;
  let run: BenchRun;
  let table: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'aiaas-bench-smoke-'));
    const output = join(directory, 'latest.json');
    // Its own process group: if this hook times out, afterAll ends the runner and the servers it started.
    const child = spawn(process.execPath, ['--import', 'tsx', runner, '--size', 'tiny', '--output', output], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    bench = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`bench exited with ${code}:\n${stderr}`);
    table = stdout;
    run = JSON.parse(await readFile(output, 'utf8')) as BenchRun;
    // A deadline, not a measurement: the tiny run takes 20–40 s alone, longer beside other test files.
  }, 240_000);

  afterAll(async () => {
    if (bench?.pid !== undefined && bench.exitCode === null && bench.signalCode === null) {
      process.kill(-bench.pid, 'SIGKILL');
    }
    await rm(directory, { recursive: true, force: true });
  });

  const isFiniteNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

  function expectSpread(item: Figure | Ratio) {
    for (const key of ['p25', 'p75', 'min', 'max'] as const)
      expect(isFiniteNumber(item.spread[key])).toBe(true);
    expect(item.spread.min).toBeLessThanOrEqual(item.spread.p25);
    expect(item.spread.p25).toBeLessThanOrEqual(item.spread.p75);
    expect(item.spread.p75).toBeLessThanOrEqual(item.spread.max);
  }

  it('records the machine it ran on', () => {
    expect(run.schemaVersion).toBe(1);
    expect(run.size).toBe('tiny');
    expect(run.machine.cpuModel).not.toBe('');
    expect(run.machine.cores).toBeGreaterThan(0);
    expect(run.machine.memoryBytes).toBeGreaterThan(0);
    expect(run.machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(run.startedAt))).toBe(false);
  });

  it('runs every benchmark', () => {
    expect(run.benchmarks.map((benchmark) => benchmark.name)).toEqual([
      'client-overhead',
      'streaming-parse',
      'idle-stream-memory',
      'server-throughput',
      'structured-decoding',
      'model-deployment',
      'cost-layer',
      'postgres-budget',
      'training',
    ]);
  });

  it('gives every figure a median and a spread over its rounds', () => {
    for (const benchmark of run.benchmarks) {
      expect(benchmark.figures.length).toBeGreaterThan(0);
      for (const figure of benchmark.figures) {
        expect(isFiniteNumber(figure.median), `${benchmark.name} ${figure.id}`).toBe(true);
        expect(figure.rounds).toBeGreaterThan(0);
        expect(figure.unit).not.toBe('');
        expectSpread(figure);
      }
    }
  });

  it('makes every ratio a finite positive number between figures of the same benchmark', () => {
    for (const benchmark of run.benchmarks) {
      const ids = new Set(benchmark.figures.map((figure) => figure.id));
      for (const ratio of benchmark.ratios) {
        expect(isFiniteNumber(ratio.value), `${benchmark.name} ${ratio.id}`).toBe(true);
        expect(ratio.value).toBeGreaterThan(0);
        expect(ids.has(ratio.numerator) && ids.has(ratio.denominator)).toBe(true);
        expectSpread(ratio);
      }
    }
  });

  it('judges each target and counts the verdicts, without requiring them to pass', () => {
    const targets = run.benchmarks
      .flatMap((benchmark) => [...benchmark.figures, ...benchmark.ratios])
      .flatMap((item) => (item.target === undefined ? [] : [item.target]));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(['>=', '<=', '<', '>']).toContain(target.comparison);
      expect(typeof target.pass).toBe('boolean');
    }
    expect(run.targets.passed + run.targets.failed).toBe(targets.length);
  });

  it('prints the table with every ratio', () => {
    for (const ratio of run.benchmarks.flatMap((benchmark) => benchmark.ratios)) {
      expect(table).toContain(`ratio: ${ratio.label}`);
    }
  });
});
