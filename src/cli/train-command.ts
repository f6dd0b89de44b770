import { parseArgs } from 'node:util';
import { sequential } from '../builders/sequential-builder.js';
import type { AiaasClient } from '../client/aiaas-client.js';
import type { FineTuningJobCreateInput } from '../client/resources/fine-tuning-jobs-resource.js';
import type {
  FineTuningHyperparameters,
  FineTuningJob,
  FineTuningJobEvent,
  FineTuningMetrics,
  SequentialActivation,
} from '../wire/openai/fine-tuning-schemas.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { epochLine, epochsOf, trainingMetricsTable } from './metrics-text.js';
import {
  connectionOptions,
  fixedProviderConnectionRows,
  integerFlag,
  numberFlag,
  parseCommandLine,
} from './parse-command-line.js';
import { startProgressLine } from './progress-line.js';

export const trainUsage = `Usage: aiaas train <data.jsonl> [options]

Upload training data, start a fine-tuning job, follow it epoch by epoch (loss,
ETA), then print the final metrics and the name the trained model is served under.
Lines are {"input": [numbers] or "text", "label": 0|1} (classifiers) or
{"messages": [...]} (ref-chat).

Options:
${helpRows([
  ['--model <name>', 'ref-classify (default), ref-chat, aiaas/sequential, or a classifier you trained'],
  ['--epochs <n>', 'passes over the data'],
  ['--batch-size <n>', 'examples per step'],
  ['--learning-rate-multiplier <x>', 'scales the base learning rate'],
  ['--validation <file>', 'held-out JSONL the metrics are measured on'],
  ['--suffix <text>', 'part of the trained model name'],
  ['--seed <n>', 'the same data and seed train the same weights'],
  [
    '--architecture <spec>',
    'aiaas/sequential only: input size then units:activation, e.g. 100,64:relu,32:relu,1:sigmoid',
  ],
  ['--poll-interval <ms>', 'how often to check on the job (default 1000)'],
  ...fixedProviderConnectionRows,
])}`;

const trainOptions = {
  ...connectionOptions,
  model: { type: 'string', default: 'ref-classify' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate-multiplier': { type: 'string' },
  validation: { type: 'string' },
  suffix: { type: 'string' },
  seed: { type: 'string' },
  architecture: { type: 'string' },
  'poll-interval': { type: 'string' },
} as const;

/** `100,64:relu,1:sigmoid` as a sequential builder; the builder's own errors name a bad layer. */
function architectureFlag(value: string) {
  const [inputDim, ...layers] = value.split(',').map((part) => part.trim());
  try {
    let builder = sequential(Number(inputDim));
    for (const layer of layers) {
      const [units, activation] = layer.split(':');
      builder = builder.dense(Number(units), (activation ?? 'linear') as SequentialActivation);
    }
    builder.build();
    return builder;
  } catch (error) {
    throw new CliUsageError(`--architecture: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function hyperparametersOf(values: {
  [name: string]: string | boolean | undefined;
}): FineTuningHyperparameters {
  const hyperparameters: FineTuningHyperparameters = {};
  const epochs = integerFlag('epochs', values.epochs as string | undefined, 1);
  const batchSize = integerFlag('batch-size', values['batch-size'] as string | undefined, 1);
  const rate = numberFlag(
    'learning-rate-multiplier',
    values['learning-rate-multiplier'] as string | undefined,
    1e-9,
    1e6,
  );
  if (epochs !== undefined) hyperparameters.n_epochs = epochs;
  if (batchSize !== undefined) hyperparameters.batch_size = batchSize;
  if (rate !== undefined) hyperparameters.learning_rate_multiplier = rate;
  return hyperparameters;
}

/** Follows the job: a live line on a terminal, one line per epoch on stderr otherwise. */
async function follow(client: AiaasClient, job: FineTuningJob, pollInterval: number, io: CliIo) {
  const progress = startProgressLine(
    io.interactive ? io.writeStderr : undefined,
    `job ${job.id}: ${job.status}`,
  );
  const startedAt = performance.now();
  let last: FineTuningMetrics | undefined;
  let current = job;
  const onEvent = (event: FineTuningJobEvent) => {
    if (event.type !== 'metrics' || typeof event.data !== 'object' || event.data === null) return;
    last = event.data as FineTuningMetrics;
    const line = epochLine(last, epochsOf(current), performance.now() - startedAt);
    if (io.interactive) progress.update(line);
    else io.stderr(line);
  };
  try {
    const final = await client.fineTuning.jobs.wait(job.id, {
      pollInterval,
      onEvent,
      onJob: (polled) => {
        current = polled;
        if (last === undefined) progress.update(`job ${polled.id}: ${polled.status}`);
      },
    });
    return { final, metrics: last };
  } finally {
    progress.clear();
  }
}

/**
 * `aiaas train <data.jsonl> --model ref-classify --epochs 10 --batch-size 32`: uploads, starts
 * the job, follows it, prints the final metrics and the model name. Exit 0 when the job
 * succeeded, 1 when it failed, was cancelled or a call failed, 2 on a bad command line.
 *
 * @example
 * process.exitCode = await trainCommand(['train.jsonl', '--epochs', '5', '--base-url', url], processIo);
 */
export async function trainCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args: [...args], options: trainOptions, strict: true, allowPositionals: true }),
  );
  if (values.help === true) {
    io.stdout(trainUsage);
    return 0;
  }
  const [file, extra] = positionals;
  if (file === undefined) throw new CliUsageError('name the JSONL file to train on.');
  if (extra !== undefined) throw new CliUsageError(`unexpected argument '${extra}'.`);
  const seed = integerFlag('seed', values.seed, 0);
  const pollInterval = integerFlag('poll-interval', values['poll-interval'], 0) ?? 1_000;
  const params: FineTuningJobCreateInput = {
    model: values.model,
    training_file: '',
    hyperparameters: hyperparametersOf(values),
    ...(seed === undefined ? {} : { seed }),
    ...(values.suffix === undefined ? {} : { suffix: values.suffix }),
    ...(values.architecture === undefined ? {} : { architecture: architectureFlag(values.architecture) }),
  };
  const client = connectClient({ ...values, provider: 'openai' });
  try {
    const training = await client.files.create({ file, purpose: 'fine-tune' });
    io.stderr(`uploaded ${file} as ${training.id}`);
    if (values.validation !== undefined) {
      const validation = await client.files.create({ file: values.validation, purpose: 'fine-tune' });
      params.validation_file = validation.id;
      io.stderr(`uploaded ${values.validation} as ${validation.id}`);
    }
    const job = await client.fineTuning.jobs.create({ ...params, training_file: training.id });
    io.stderr(`started job ${job.id}`);
    const { final, metrics } = await follow(client, job, pollInterval, io);
    if (final.status !== 'succeeded') {
      const reason = final.error?.message ?? 'no reason given';
      io.stderr(`aiaas train: job ${final.id} ${final.status}: ${reason}`);
      return 1;
    }
    if (metrics !== undefined) for (const line of trainingMetricsTable(metrics)) io.stdout(line);
    io.stdout(`model: ${final.fine_tuned_model ?? '-'}`);
    return 0;
  } catch (error) {
    io.stderr(`aiaas train: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}
