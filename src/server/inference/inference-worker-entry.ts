import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What a worker thread starts from: the built script, or (from the sources) a small bootstrap
 * module that loads the `.ts` worker through tsx, told where both are by `argv`.
 */
export interface InferenceWorkerEntry {
  readonly url: URL;
  readonly argv: readonly string[];
}

/**
 * Where the built worker sits relative to the module that starts it. tsup emits
 * `dist/server/inference/inference-worker.js` as its own entry, while this code may be
 * bundled into `dist/server/index.js`, `dist/cli/main.js` or a shared `dist/chunk-*.js`.
 */
const builtCandidates = [
  './inference-worker.js',
  './inference/inference-worker.js',
  './server/inference/inference-worker.js',
  '../server/inference/inference-worker.js',
];

/**
 * The ESM build of tsx's API, resolved from `moduleUrl`. `require.resolve` would pick its
 * CommonJS build, whose `register()` cannot find tsx's loader from inside a worker's
 * evaluated script, so the `import` condition of its exports map is read directly.
 */
function tsxEsmApiUrl(moduleUrl: string): string {
  const manifestPath = createRequire(moduleUrl).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const relative = manifest.exports?.['./esm/api']?.import?.default;
  if (relative === undefined) throw new Error('tsx has no ESM API.');
  return pathToFileURL(join(dirname(manifestPath), relative)).href;
}

/**
 * Finds the inference worker script. The built package runs plain JavaScript; from the
 * sources (vitest, tsx) the worker is the `.ts` file, which a fresh thread can only load
 * with tsx, a dev dependency the built package never needs. (`execArgv: ['--import', 'tsx']`
 * is not enough: Node 20 does not apply loader hooks registered that way to the thread's
 * entry, so the thread registers tsx itself before importing the worker.)
 *
 * @example
 * const { url, argv } = resolveInferenceWorkerEntry(import.meta.url);
 * const worker = new Worker(url, { argv: [...argv] });
 */
export function resolveInferenceWorkerEntry(moduleUrl: string): InferenceWorkerEntry {
  for (const candidate of builtCandidates) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(fileURLToPath(url))) return { url, argv: [] };
  }
  const source = new URL('./inference-worker.ts', moduleUrl);
  if (!existsSync(fileURLToPath(source))) {
    throw new Error(`The inference worker script is missing next to ${fileURLToPath(moduleUrl)}.`);
  }
  let tsxApi: string;
  try {
    // Resolved from here, not from the working directory, so it works wherever the process started.
    tsxApi = tsxEsmApiUrl(moduleUrl);
  } catch {
    throw new Error(
      'Running the server from its TypeScript sources needs tsx: run `npm install --save-dev tsx`.',
    );
  }
  return { url: new URL('./inference-worker-from-source.mjs', moduleUrl), argv: [tsxApi, source.href] };
}
