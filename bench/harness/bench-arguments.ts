import { parseArgs } from 'node:util';
import type { SdkSource } from './load-sdk.js';
import type { BenchSize } from './result-types.js';

export interface BenchArguments {
  size: BenchSize;
  /** Names of the benchmarks to run; all when empty. */
  only: string[];
  /** Where the JSON results go. */
  output: string;
  /** `built` (default): the SDK as `npm run build` makes it; `source`: the TypeScript run through tsx. */
  sdk: SdkSource;
}

export function parseBenchArguments(argv: readonly string[], defaultOutput: string): BenchArguments {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string', default: 'full' },
      only: { type: 'string', multiple: true, default: [] },
      output: { type: 'string', default: defaultOutput },
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
  return { size: values.size, only, output: values.output, sdk: values.sdk };
}
