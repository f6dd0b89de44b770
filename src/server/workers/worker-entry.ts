import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What a worker thread starts from: the built script, or (from the sources) a small bootstrap
 * module that loads the `.ts` worker through tsx, told where both are by `argv`.
 */
export interface WorkerEntry {
  readonly url: URL;
  readonly argv: readonly string[];
}

/**
 * Where a built worker may sit relative to the module that starts it. tsup emits each worker as
 * its own entry, `dist/server/<workerPath>.js`, while the starting code may stay in its folder or
 * be bundled into `dist/server/index.js`, `dist/cli/main.js` or a shared `dist/chunk-*.js`.
 */
function builtCandidates(workerPath: string): string[] {
  return [
    `./${posix.basename(workerPath)}.js`,
    `./${workerPath}.js`,
    `./server/${workerPath}.js`,
    `../server/${workerPath}.js`,
  ];
}

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
 * Finds a worker script: `workerPath` is its path under `src/server/` without an extension
 * (e.g. `inference/inference-worker`), and `moduleUrl` the URL of a module in the same folder.
 * The built package runs plain JavaScript; from the sources (vitest, tsx) the worker is the `.ts`
 * file, which a fresh thread can only load with tsx, a dev dependency the built package never
 * needs. (`execArgv: ['--import', 'tsx']` is not enough: Node 20 does not apply loader hooks
 * registered that way to the thread's entry, so the thread registers tsx itself first.)
 *
 * @example
 * const { url, argv } = resolveWorkerEntry(import.meta.url, 'inference/inference-worker');
 * const worker = new Worker(url, { argv: [...argv] });
 */
export function resolveWorkerEntry(moduleUrl: string, workerPath: string): WorkerEntry {
  for (const candidate of builtCandidates(workerPath)) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(fileURLToPath(url))) return { url, argv: [] };
  }
  const name = posix.basename(workerPath);
  const source = new URL(`./${name}.ts`, moduleUrl);
  if (!existsSync(fileURLToPath(source))) {
    throw new Error(`The worker script ${name} is missing next to ${fileURLToPath(moduleUrl)}.`);
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
  return { url: new URL('./worker-from-source.mjs', import.meta.url), argv: [tsxApi, source.href] };
}
