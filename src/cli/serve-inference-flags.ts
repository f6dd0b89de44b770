import type { InferenceServingOptions } from '../server/inference/inference-options.js';
import { CliUsageError } from './cli-io.js';
import type { HelpRow } from './help-text.js';

/** The `aiaas serve` flags of the worker pool and batching, in `parseArgs` form. */
export const inferenceFlags = {
  workers: { type: 'string' },
  'max-batch-size': { type: 'string' },
  'max-queue-delay-ms': { type: 'string' },
  'no-batching': { type: 'boolean' },
} as const;

/** The help rows of {@link inferenceFlags}; `aiaas serve` lays them out with its other flags. */
export const inferenceFlagRows: readonly HelpRow[] = [
  ['--workers <n>', 'inference worker threads (default: cores - 1, from 1 to 4; 0: on the main thread)'],
  ['--max-batch-size <n>', 'most rows batched into one model run (default 32)'],
  ['--max-queue-delay-ms <ms>', 'how long a request may wait for others to batch with (default 0)'],
  ['--no-batching', 'run every request alone (to compare against batching)'],
];

/** What the inference flags asked for; undefined where a flag was not given. */
export interface InferenceSettings {
  workers: number | undefined;
  maxBatchSize: number | undefined;
  maxQueueDelayMs: number | undefined;
  batching: boolean | undefined;
}

type InferenceFlagValues = {
  workers?: string | undefined;
  'max-batch-size'?: string | undefined;
  'max-queue-delay-ms'?: string | undefined;
  'no-batching'?: boolean | undefined;
};

function integerOf(value: string | undefined, flag: string, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum || Number(value) > 1e6) {
    throw new CliUsageError(`--${flag} must be an integer from ${minimum} to 1000000, got '${value}'.`);
  }
  return Number(value);
}

/**
 * Reads the inference flags of `aiaas serve`; a bad value is a usage error naming the flag.
 *
 * @example
 * inferenceSettingsOf({ workers: '2', 'no-batching': true });
 * // { workers: 2, batching: false, maxBatchSize: undefined, maxQueueDelayMs: undefined }
 */
export function inferenceSettingsOf(values: InferenceFlagValues): InferenceSettings {
  return {
    workers: integerOf(values.workers, 'workers', 0),
    maxBatchSize: integerOf(values['max-batch-size'], 'max-batch-size', 1),
    maxQueueDelayMs: integerOf(values['max-queue-delay-ms'], 'max-queue-delay-ms', 0),
    batching: values['no-batching'] === true ? false : undefined,
  };
}

/**
 * The server options the settings stand for.
 *
 * @example
 * startReferenceServer({ port: 8000, ...inferenceOptionsOf(settings) });
 */
export function inferenceOptionsOf(settings: InferenceSettings): InferenceServingOptions {
  return {
    ...(settings.workers === undefined ? {} : { workers: settings.workers }),
    ...(settings.maxBatchSize === undefined ? {} : { maxBatchSize: settings.maxBatchSize }),
    ...(settings.maxQueueDelayMs === undefined ? {} : { maxQueueDelayMs: settings.maxQueueDelayMs }),
    ...(settings.batching === undefined ? {} : { batching: settings.batching }),
  };
}
