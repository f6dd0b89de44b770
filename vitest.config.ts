import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));
// Tests that need a PostgreSQL server: a project of their own, so that only a run that includes
// them starts one (the global setup uses AIAAS_TEST_POSTGRES_URL or a throwaway cluster).
const storeTests = ['test/contract/**/*.test.ts', 'test/**/postgres-*.test.ts'];
// The Node matrix (.ci/node-matrix.sh) runs the suite again on other Node versions without the
// runs of whole scripts (examples, benchmarks) and the type tests: they do not depend on the
// Node version beyond what the rest covers, and they ran on the machine's Node already.
const nodeMatrix = process.env.AIAAS_TEST_NODE_MATRIX === '1';
// Files that replace a module (vi.mock) need a module registry of their own: the others share one
// per worker (isolate: false), which cut the suite's wall time from ~7.5 to ~4 min, most of it
// spent importing the server again in every file.
const ownModuleTests = ['test/unit/retry/run-with-retry-p-retry.test.ts'];
const wholeScriptRuns = ['test/examples/**', 'test/integration/bench-*.test.ts'];

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; in this repository that is the source
    // (the same mapping as tsconfig's `paths`), so tests never run against a stale dist/.
    alias: [
      { find: /^aiaas$/, replacement: source('index.ts') },
      { find: /^aiaas\/(server|testing|telemetry)$/, replacement: source('$1/index.ts') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on sockets, timers and child processes: with one worker per core (2 here)
    // the cores sat half idle (5.2 min for the suite, 1.15 cores busy); four fill them (3.7 min).
    maxWorkers: 4,
    // Each project extends this config; arrays (include, exclude) would be concatenated, so only
    // the projects name them.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            ...storeTests,
            ...ownModuleTests,
            ...(nodeMatrix ? wholeScriptRuns : []),
          ],
          isolate: false,
          typecheck: { enabled: !nodeMatrix, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: { name: 'own-modules', include: ownModuleTests },
      },
      {
        extends: true,
        test: {
          name: 'stores',
          include: storeTests,
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
