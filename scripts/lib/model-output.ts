import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelsOutputDir } from './data-paths.js';

/** Writes a model's files under `models/<name>/`; keys are paths inside that folder. */
export function writeModelFiles(name: string, files: Record<string, string | Uint8Array>): string {
  const modelDirectory = join(modelsOutputDir, name);
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(modelDirectory, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return modelDirectory;
}

/** JSON as committed: two-space indent and a final newline, so diffs stay readable. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Rounds for reports: metrics are quoted with this many decimals in cards and metrics.json. */
export function round(value: number, decimals = 4): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
