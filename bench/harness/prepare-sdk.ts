import { readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { serverEntries } from '../../tsup.config.js';
import { type SdkSource, sdkLocationVariable } from './load-sdk.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
// Inside node_modules so the bundle's bare imports (undici, zod, ...) resolve as in a user's app;
// one directory per run, so runs at the same time (a smoke test beside a full run) never share one.
const cacheDirectory = fileURLToPath(new URL('../../node_modules/.cache/aiaas-bench/', import.meta.url));
const outputDirectory = `${cacheDirectory}sdk-${process.pid}/`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Builds left by runs that were killed before they could clean up. */
async function removeStaleBuilds(): Promise<void> {
  const names = await readdir(cacheDirectory).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^sdk-(\d+)$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && !isRunning(pid)) {
      await rm(`${cacheDirectory}${name}`, { recursive: true, force: true });
    }
  }
}

/**
 * Builds the SDK as `npm run build` does (tsup, ESM, node20) into a private cache directory, and
 * tells child processes where it is (they inherit the environment). Users run the built package,
 * not the sources: run through tsx, every function gets a `__name` wrapper (esbuild's keepNames)
 * that costs CPU and about 300 bytes per closure, which would be charged to the SDK unfairly.
 * Kept apart from `load-sdk.ts` so that child processes never load tsup.
 */
export async function prepareSdk(source: SdkSource): Promise<{ dispose(): Promise<void> }> {
  if (source === 'source') {
    process.env[sdkLocationVariable] = 'source';
    return { dispose: async () => {} };
  }
  await removeStaleBuilds();
  await build({
    config: false,
    // The server and its workers too: the reference server the server benchmarks start is the
    // built one, as users run it.
    entry: { index: 'src/index.ts', cost: 'src/cost/index.ts', ...serverEntries },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    outDir: outputDirectory,
    splitting: true,
    sourcemap: false,
    dts: false,
    clean: true,
    silent: true,
    // Native and optional packages are loaded at run time, as in the published package.
    external: ['better-sqlite3', 'onnxruntime-node'],
    tsconfig: `${repositoryRoot}tsconfig.json`,
  });
  process.env[sdkLocationVariable] = outputDirectory;
  return { dispose: () => rm(outputDirectory, { recursive: true, force: true }) };
}
