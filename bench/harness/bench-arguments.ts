import { parseArgs } from 'node:util';
import type { SdkSource } from './load-sdk.js';
import type { BenchSize } from './result-types.js';

export interface BenchArguments {
  size: BenchSize;
  /** Names of the benchmarks to run; all when empty. */
  only: string[];
  /** `--output`: where the JSON results go; undefined for the default (see `results-location.ts`). */
  output: string | undefined;
  /** `--update-snapshot`: write the tracked `bench/results/latest.json` that the READMEs quote. */
  updateSnapshot: boolean;
  /** `built` (default): the SDK as `npm run build` makes it; `source`: the TypeScript run through tsx. */
  sdk: SdkSource;
}

export function parseBenchArguments(argv: readonly string[]): BenchArguments {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string', default: 'full' },
      only: { type: 'string', multiple: true, default: [] },
      output: { type: 'string' },
      'update-snapshot': { type: 'boolean', default: false },
      sdk: { type: 'string', default: 'built' },
    },
    strict: true,
  });
  if (values.size !== 'tiny' && values.size !== 'full') {
    throw new Error(`--size must be tiny or full, got ${values.size}`);
  }
  if (values.sdk !== 'built' && values.sdk !== 'source') {
    throw new Error(`--sdk must be built or source, got ${values.sdk}`);
  }
  // `--only a,b` and `--only a --only b` both work.
  const only = values.only.flatMap((names) => names.split(',')).filter((name) => name !== '');
  const updateSnapshot = values['update-snapshot'];
  if (updateSnapshot) {
    // The snapshot is what the READMEs quote: one whole full-size run of the built SDK, nothing less.
    const partial = [
      ...(values.size === 'full' ? [] : [`--size ${values.size}`]),
      ...(only.length === 0 ? [] : ['--only']),
      ...(values.sdk === 'built' ? [] : [`--sdk ${values.sdk}`]),
      ...(values.output === undefined ? [] : ['--output']),
    ];
    if (partial.length > 0) {
      throw new Error(
        `--update-snapshot writes the full run the READMEs quote; it cannot be combined with ${partial.join(', ')}.`,
      );
    }
  }
  return { size: values.size, only, output: values.output, updateSnapshot, sdk: values.sdk };
}
