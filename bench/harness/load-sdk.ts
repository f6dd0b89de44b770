import { rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';

type SdkModule = typeof import('../../src/index.js');
type CostModule = typeof import('../../src/cost/index.js');

/** Which copy of the SDK the benchmarks measure. */
export type SdkSource = 'built' | 'source';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
// Inside node_modules so the bundle's bare imports (undici, zod, ...) resolve as in a user's app;
// one directory per run, so runs at the same time (a smoke test beside a full run) never share one.
const outputDirectory = fileURLToPath(
  new URL(`../../node_modules/.cache/aiaas-bench/sdk-${process.pid}/`, import.meta.url),
);
const environmentKey = 'AIAAS_BENCH_SDK';

/**
 * Builds the SDK as `npm run build` does (tsup, ESM, node20) into a private cache directory, and
 * tells child processes where it is. Users run the built package, not the sources: run through
 * tsx, every function gets a `__name` wrapper (esbuild's keepNames) that costs CPU and about
 * 300 bytes per closure, which would be charged to the SDK unfairly.
 */
export async function prepareSdk(source: SdkSource): Promise<{ dispose(): Promise<void> }> {
  if (source === 'source') {
    process.env[environmentKey] = 'source';
    return { dispose: async () => {} };
  }
  await build({
    config: false,
    entry: { index: 'src/index.ts', cost: 'src/cost/index.ts' },
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
  process.env[environmentKey] = outputDirectory;
  return { dispose: () => rm(outputDirectory, { recursive: true, force: true }) };
}

function builtModule(name: string): string | undefined {
  const location = process.env[environmentKey];
  if (location === undefined || location === 'source') return undefined;
  return pathToFileURL(`${location}${name}.js`).href;
}

/** The SDK's public entry point: the build made by {@link prepareSdk}, or the sources. */
export async function loadSdk(): Promise<SdkModule> {
  const built = builtModule('index');
  return built === undefined ? import('../../src/index.js') : (import(built) as Promise<SdkModule>);
}

/** The cost layer (its own entry: not yet on the public allow-list). */
export async function loadCostLayer(): Promise<CostModule> {
  const built = builtModule('cost');
  return built === undefined ? import('../../src/cost/index.js') : (import(built) as Promise<CostModule>);
}
