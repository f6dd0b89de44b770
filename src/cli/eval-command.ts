import { parseArgs } from 'node:util';
import { PriceCatalog } from '../cost/price-catalog.js';
import { UnpricedModelError } from '../errors/index.js';
import { evaluate } from '../evaluation/evaluate.js';
import type { ServerPricing } from '../wire/aiaas/server-pricing-schemas.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { labelledJsonl } from './labelled-jsonl.js';
import { evaluationTable } from './metrics-text.js';
import {
  connectionOptions,
  fixedProviderConnectionRows,
  integerFlag,
  numberFlag,
  parseCommandLine,
} from './parse-command-line.js';
import { startProgressLine } from './progress-line.js';
import { fetchServerPricing } from './server-pricing-probe.js';

export const evalUsage = `Usage: aiaas eval <model> <data.jsonl> [options]

Run a deployed binary classifier over labelled data (OIP v2) and print accuracy,
precision, recall, F1, ROC AUC, log loss, the confusion matrix and the cost.
Lines are {"input": [numbers], "label": 0|1}.

Options:
${helpRows([
  ['--batch-size <n>', 'examples per infer call (default 32)'],
  ['--concurrency <n>', 'infer calls at once (default 4)'],
  ['--threshold <p>', 'the probability from which a prediction is 1 (default 0.5)'],
  ...fixedProviderConnectionRows,
])}`;

/** The server's rate card as a catalog, when it prices the model (else the evaluation is unpriced, not refused). */
function pricedCatalog(pricing: ServerPricing | undefined, model: string): PriceCatalog | undefined {
  if (pricing === undefined) return undefined;
  const catalog = PriceCatalog.fromServerPricing(pricing);
  try {
    catalog.priceOf(model);
    return catalog;
  } catch (error) {
    if (error instanceof UnpricedModelError) return undefined;
    throw error;
  }
}

/**
 * `aiaas eval <model> <data.jsonl>`: exit 0 with the metrics, 1 when the data or a call fails,
 * 2 on a bad command line.
 *
 * @example
 * process.exitCode = await evalCommand(['ref-classify', 'test.jsonl', '--base-url', url], processIo);
 */
export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: {
        ...connectionOptions,
        'batch-size': { type: 'string' },
        concurrency: { type: 'string' },
        threshold: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(evalUsage);
    return 0;
  }
  const [model, file, extra] = positionals;
  if (model === undefined || file === undefined)
    throw new CliUsageError('name the model and the JSONL data.');
  if (extra !== undefined) throw new CliUsageError(`unexpected argument '${extra}'.`);
  const batchSize = integerFlag('batch-size', values['batch-size'], 1);
  const concurrency = integerFlag('concurrency', values.concurrency, 1);
  const threshold = numberFlag('threshold', values.threshold, 0, 1);
  // Inference is OIP v2, priced by the server's rate card when it has a price for the model.
  let client = connectClient({ ...values, provider: 'oip' });
  const progress = startProgressLine(io.interactive ? io.writeStderr : undefined, `evaluating ${model}`);
  try {
    const apiKey = values['api-key'] ?? process.env.AIAAS_API_KEY;
    const catalog = pricedCatalog(
      await fetchServerPricing(client, apiKey === '' ? undefined : apiKey),
      model,
    );
    if (catalog !== undefined) {
      await client.close();
      client = connectClient({ ...values, provider: 'oip' }, { pricing: catalog, logLevel: 'off' });
    }
    const result = await evaluate({
      client,
      model,
      data: labelledJsonl(file),
      batchSize,
      concurrency,
      threshold,
      onProgress: ({ examples }) => progress.update(`evaluating ${model}: ${examples} examples`),
    });
    progress.clear();
    for (const line of evaluationTable(result)) io.stdout(line);
    return 0;
  } catch (error) {
    progress.clear();
    io.stderr(`aiaas eval: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}
