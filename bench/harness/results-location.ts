import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSize } from './result-types.js';

/** The tracked results the READMEs quote, written only with `--update-snapshot`. */
export const snapshotPath = fileURLToPath(new URL('../results/latest.json', import.meta.url));

/** Where each run's results go by default: ignored by git, so measuring leaves the tree clean. */
export const runsDirectory = fileURLToPath(new URL('../results/runs/', import.meta.url));

/**
 * The file a run writes: `--output` when given, the snapshot with `--update-snapshot`, else a new
 * file per run, named by when it started and its size, e.g. `runs/2026-12-07T00-31-05Z-full-4242.json` (with the process id).
 *
 * @example
 * resultsPath({ output: undefined, updateSnapshot: false }, new Date(), 'tiny');
 */
export function resultsPath(
  options: { output: string | undefined; updateSnapshot: boolean },
  startedAt: Date,
  size: BenchSize,
): string {
  if (options.output !== undefined) return options.output;
  if (options.updateSnapshot) return snapshotPath;
  // Seconds are enough to tell runs apart; colons are not allowed in file names everywhere.
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  return join(runsDirectory, `${stamp}-${size}-${process.pid}.json`);
}

/** Writes through a temporary file, so that a run stopped half-way never leaves a torn results file. */
export async function writeResults(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
