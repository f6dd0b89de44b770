import { defineConfig } from 'tsup';

/** `aiaas/server` and the worker scripts it starts, laid out where the server looks for them (the benchmarks build them too). */
export const serverEntries = {
  'server/index': 'src/server/index.ts',
  'server/inference/inference-worker': 'src/server/inference/inference-worker.ts',
  'server/routes/oip/load-body-worker': 'src/server/routes/oip/load-body-worker.ts',
  'server/training/training-worker-thread': 'src/server/training/training-worker-thread.ts',
};

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ...serverEntries,
    'cli/main': 'src/cli/main.ts',
    'testing/index': 'src/testing/index.ts',
    'telemetry/index': 'src/telemetry/index.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: {
    entry: {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
      'testing/index': 'src/testing/index.ts',
      'telemetry/index': 'src/telemetry/index.ts',
    },
  },
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  // No keepNames: it wraps every named closure in `__name`, which costs CPU and about 300 bytes per
  // closure on hot paths. Exported classes that esbuild would rename say their own name (a static
  // block), and the package check fails if one does not.
  // Optional peers, loaded only by the entry points that need them, and never bundled.
  external: ['onnxruntime-node', 'vitest', '@opentelemetry/api', 'better-sqlite3', 'pg'],
});
