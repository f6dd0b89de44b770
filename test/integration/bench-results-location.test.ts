import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseBenchArguments } from '../../bench/harness/bench-arguments.js';
import type { BenchRun } from '../../bench/harness/result-types.js';
import { resultsPath, runsDirectory, snapshotPath } from '../../bench/harness/results-location.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
const git = promisify(execFile);

/** True when git ignores the path: a file written there never shows in `git status`. */
async function ignoredByGit(path: string): Promise<boolean> {
  try {
    await git('git', ['check-ignore', '--quiet', relative(root, path)], { cwd: root });
    return true;
  } catch (error) {
    // Exit code 1 means "not ignored"; anything else is a real failure.
    if ((error as { code?: unknown }).code === 1) return false;
    throw error;
  }
}

describe('where npm run bench writes its results', () => {
  const startedAt = new Date('2026-12-07T00:31:05.123Z');

  it('writes each run to a new file that git ignores, by default', async () => {
    const options = parseBenchArguments(['--size', 'tiny']);
    expect(options).toMatchObject({ output: undefined, updateSnapshot: false });
    const path = resultsPath(options, startedAt, options.size);
    expect(path.startsWith(runsDirectory)).toBe(true);
    expect(path.endsWith(`2026-12-07T00-31-05Z-tiny-${process.pid}.json`)).toBe(true);
    expect(await ignoredByGit(path)).toBe(true);
  });

  it('writes the tracked snapshot only when told to, and only from a whole full run of the built SDK', async () => {
    const options = parseBenchArguments(['--update-snapshot']);
    expect(resultsPath(options, startedAt, options.size)).toBe(snapshotPath);
    const { stdout } = await git('git', ['ls-files', relative(root, snapshotPath)], { cwd: root });
    expect(stdout.trim()).toBe('bench/results/latest.json');
    expect(await ignoredByGit(snapshotPath)).toBe(false);

    for (const [args, named] of [
      [['--size', 'tiny'], '--size tiny'],
      [['--only', 'cost-layer'], '--only'],
      [['--sdk', 'source'], '--sdk source'],
      [['--output', '/tmp/run.json'], '--output'],
    ] as const) {
      expect(() => parseBenchArguments(['--update-snapshot', ...args])).toThrow(named);
    }
  });

  it('keeps --output as given', () => {
    const options = parseBenchArguments(['--output', '/tmp/elsewhere.json']);
    expect(resultsPath(options, startedAt, options.size)).toBe('/tmp/elsewhere.json');
  });

  it('runs without touching the tracked snapshot, and says where the results went', async () => {
    const snapshotBefore = await readFile(snapshotPath, 'utf8');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', runner, '--size', 'tiny', '--only', 'cost-layer'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    const written = /results written to (.+)$/m.exec(stderr)?.[1];
    expect(written).toBeDefined();
    try {
      expect(written!.startsWith(runsDirectory)).toBe(true);
      const run = JSON.parse(await readFile(written!, 'utf8')) as BenchRun;
      expect(run.size).toBe('tiny');
      expect(run.benchmarks.map((benchmark) => benchmark.name)).toEqual(['cost-layer']);
      expect(await ignoredByGit(written!)).toBe(true);
      expect(await readFile(snapshotPath, 'utf8')).toBe(snapshotBefore);
    } finally {
      await rm(written!, { force: true });
    }
  }, 120_000);
});
