import type {
  RateLimitOptions,
  RequestPipelineOptions,
} from '../server/pipeline/request-pipeline-options.js';
import { CliUsageError } from './cli-io.js';
import type { HelpRow } from './help-text.js';

/** The `aiaas serve` flags of billing, rate limits, chaos and resumable streams, in `parseArgs` form. */
export const pipelineFlags = {
  'rate-card': { type: 'string' },
  'billing-file': { type: 'string' },
  'requests-per-minute': { type: 'string' },
  'tokens-per-minute': { type: 'string' },
  'chaos-rate': { type: 'string' },
  'resume-window-ms': { type: 'string' },
} as const;

/** The help rows of {@link pipelineFlags}; `aiaas serve` lays them out with its other flags. */
export const pipelineFlagRows: readonly HelpRow[] = [
  ['--rate-card <file>', 'JSON rate card to bill by (default: the built-in card, see GET /v1/pricing)'],
  ['--billing-file <file>', 'append billing records to this JSONL file; usage survives restarts'],
  ['--requests-per-minute <n>', 'per-key request limit (429 beyond it)'],
  ['--tokens-per-minute <n>', 'per-key token limit (429 beyond it)'],
  ['--chaos-rate <r>', 'inject faults into this share (0..1) of model calls, chosen by --seed'],
  ['--resume-window-ms <n>', 'stop a keyed stream nobody follows or resumes for this long (default 30000)'],
];

/** What the pipeline flags asked for; undefined where a flag was not given. */
export interface PipelineSettings {
  rateCard: string | undefined;
  billingFile: string | undefined;
  rateLimits: RateLimitOptions | undefined;
  chaosRate: number | undefined;
  resumeWindowMs: number | undefined;
}

type PipelineFlagValues = { [Flag in keyof typeof pipelineFlags]?: string | undefined };

function limitOf(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1e9) {
    throw new CliUsageError(`--${flag} must be an integer from 1 to 1000000000, got '${value}'.`);
  }
  return Number(value);
}

function rateOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = Number(value);
  if (value.trim() === '' || !(rate >= 0 && rate <= 1)) {
    throw new CliUsageError(`--chaos-rate must be a number from 0 to 1, got '${value}'.`);
  }
  return rate;
}

/**
 * Reads the pipeline flags of `aiaas serve`; a bad value is a usage error naming the flag.
 *
 * @example
 * pipelineSettingsOf({ 'requests-per-minute': '60', 'chaos-rate': '0.1' });
 * // { rateLimits: { requestsPerMinute: 60 }, chaosRate: 0.1, rateCard: undefined, billingFile: undefined, resumeWindowMs: undefined }
 */
export function pipelineSettingsOf(values: PipelineFlagValues): PipelineSettings {
  const requestsPerMinute = limitOf(values['requests-per-minute'], 'requests-per-minute');
  const tokensPerMinute = limitOf(values['tokens-per-minute'], 'tokens-per-minute');
  const rateLimits =
    requestsPerMinute === undefined && tokensPerMinute === undefined
      ? undefined
      : {
          ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }),
          ...(tokensPerMinute === undefined ? {} : { tokensPerMinute }),
        };
  return {
    rateCard: values['rate-card'],
    billingFile: values['billing-file'],
    rateLimits,
    chaosRate: rateOf(values['chaos-rate']),
    resumeWindowMs: limitOf(values['resume-window-ms'], 'resume-window-ms'),
  };
}

/**
 * The server options the settings stand for; chaos takes the server's `--seed`.
 *
 * @example
 * startReferenceServer({ port: 8000, ...pipelineOptionsOf(settings) });
 */
export function pipelineOptionsOf(settings: PipelineSettings): RequestPipelineOptions {
  return {
    ...(settings.rateCard === undefined ? {} : { rateCard: settings.rateCard }),
    ...(settings.billingFile === undefined ? {} : { billingFile: settings.billingFile }),
    ...(settings.rateLimits === undefined ? {} : { rateLimits: settings.rateLimits }),
    ...(settings.chaosRate === undefined ? {} : { chaos: { rate: settings.chaosRate } }),
    ...(settings.resumeWindowMs === undefined ? {} : { resumeWindowMs: settings.resumeWindowMs }),
  };
}
