import { pathToFileURL } from 'node:url';

type SdkModule = typeof import('../../src/index.js');
type CostModule = typeof import('../../src/cost/index.js');
type ServerModule = typeof import('../../src/server/index.js');

/** Which copy of the SDK the benchmarks measure. */
export type SdkSource = 'built' | 'source';

/** Where `prepareSdk` put the build (a directory), or `source`; inherited by child processes. */
export const sdkLocationVariable = 'AIAAS_BENCH_SDK';

function builtModule(name: string): string | undefined {
  const location = process.env[sdkLocationVariable];
  if (location === undefined || location === 'source') return undefined;
  return pathToFileURL(`${location}${name}.js`).href;
}

/** The SDK's public entry point: the build made by `prepareSdk`, or the sources. */
export async function loadSdk(): Promise<SdkModule> {
  const built = builtModule('index');
  return built === undefined ? import('../../src/index.js') : (import(built) as Promise<SdkModule>);
}

/** The cost layer (its own entry: not yet on the public allow-list). */
export async function loadCostLayer(): Promise<CostModule> {
  const built = builtModule('cost');
  return built === undefined ? import('../../src/cost/index.js') : (import(built) as Promise<CostModule>);
}

/** The reference server (`aiaas/server`): the build made by `prepareSdk`, or the sources. */
export async function loadServer(): Promise<ServerModule> {
  const built = builtModule('server/index');
  return built === undefined ? import('../../src/server/index.js') : (import(built) as Promise<ServerModule>);
}
