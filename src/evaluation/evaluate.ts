import { tensor } from '../builders/tensor-builder.js';
import type { Money } from '../cost/money.js';
import { AbortError } from '../errors/index.js';
import { type BinaryClassificationMetrics, binaryClassificationMetrics } from './classification-metrics.js';
import {
  type CheckedEvaluateOptions,
  checkEvaluateOptions,
  type EvaluateOptions,
} from './evaluation-options.js';
import { type LabelledBatch, labelledBatches } from './labelled-batches.js';
import { positiveProbabilities } from './probability-column.js';

/** The confusion matrix of a binary classifier at the evaluation's threshold. */
export interface ConfusionMatrix {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** What {@link evaluate} measured. */
export interface EvaluationResult extends BinaryClassificationMetrics {
  threshold: number;
  confusionMatrix: ConfusionMatrix;
  /** Infer calls made. */
  batches: number;
  /** The sum of the infer calls' costs (as in the ledger); null when the client has no pricing. */
  cost: Money | null;
}

function abortErrorOf(signal: AbortSignal): AbortError {
  return new AbortError('The evaluation was aborted by the caller.', { cause: signal.reason });
}

class CostTotal {
  #total: Money | null | undefined;

  add(cost: Money | null): void {
    // One unpriced call makes the total unknown rather than too small.
    if (cost === null) this.#total = null;
    else if (this.#total !== null) this.#total = this.#total === undefined ? cost : this.#total.plus(cost);
  }

  get value(): Money | null {
    return this.#total ?? null;
  }
}

async function scoreBatch(options: CheckedEvaluateOptions, batch: LabelledBatch) {
  const rows = batch.labels.length;
  const input = tensor(options.inputName, batch.features, [rows, batch.width]);
  const { data, cost } = await options.client.inference
    .infer(options.model, [input], { signal: options.signal, version: options.version })
    .withResponse();
  return { probabilities: positiveProbabilities(data, rows, options.outputName), cost };
}

/**
 * Runs a deployed binary classifier over labelled data on any OIP v2 server: batched infer
 * calls, at most `concurrency` at once, the data read only as fast as calls finish. Returns
 * accuracy, precision, recall, F1, ROC AUC, log loss, the confusion matrix and the cost.
 * A bad example is a `ValidationError` naming it; a bad option an `InvalidOptionError`; the first
 * failed call fails the evaluation (after the calls in flight have settled).
 *
 * @example
 * const client = new AiaasClient({ provider: 'oip', baseURL, apiKey, pricing: 'server' });
 * const result = await evaluate({ client, model: 'ref-classify', data: [{ input: features, label: 1 }] });
 * console.log(result.accuracy, result.rocAuc, result.cost?.format());
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  const checked = checkEvaluateOptions(options);
  const { signal, concurrency, onProgress } = checked;
  if (signal?.aborted) throw abortErrorOf(signal);
  const probabilities: number[] = [];
  const labels: number[] = [];
  const cost = new CostTotal();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let batches = 0;
  let examples = 0;
  const run = async (batch: LabelledBatch): Promise<void> => {
    try {
      const scored = await scoreBatch(checked, batch);
      scored.probabilities.forEach((probability, row) => {
        probabilities[batch.offset + row] = probability;
      });
      cost.add(scored.cost);
      batches += 1;
      examples += batch.labels.length;
      onProgress?.({ examples, batches, cost: cost.value });
    } catch (error) {
      failure ??= { error };
    }
  };
  try {
    for await (const batch of labelledBatches(checked.data, checked.batchSize)) {
      if (failure !== undefined || signal?.aborted) break;
      labels.push(...batch.labels);
      const call = run(batch).finally(() => inFlight.delete(call));
      inFlight.add(call);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } finally {
    // A bad example further on fails the evaluation too, but only once no call is left running.
    await Promise.all(inFlight);
  }
  if (signal?.aborted) throw abortErrorOf(signal);
  if (failure !== undefined) throw failure.error;
  const metrics = binaryClassificationMetrics(probabilities, labels, checked.threshold);
  const { truePositives, falsePositives, trueNegatives, falseNegatives } = metrics;
  return {
    ...metrics,
    threshold: checked.threshold,
    confusionMatrix: { truePositives, falsePositives, trueNegatives, falseNegatives },
    batches,
    cost: cost.value,
  };
}
