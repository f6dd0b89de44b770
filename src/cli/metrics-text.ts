import type { Money } from '../cost/money.js';
import type { EvaluationResult } from '../evaluation/evaluate.js';
import type { FineTuningJob, FineTuningMetrics } from '../wire/openai/fine-tuning-schemas.js';
import { columns } from './text-columns.js';

function fixed(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

/** The epochs a job runs, when it says (`n_epochs` may be `"auto"` until the job starts). */
export function epochsOf(job: FineTuningJob | undefined): number | undefined {
  const epochs = job?.hyperparameters.n_epochs;
  return typeof epochs === 'number' ? epochs : undefined;
}

function seconds(milliseconds: number): string {
  const total = Math.round(milliseconds / 1_000);
  return total < 60 ? `${total}s` : `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

/**
 * One epoch as a progress line: `epoch 3/10  loss 0.4123  val 0.4500  acc 0.8100  ETA 12s`; the
 * ETA assumes the epochs left take as long as the ones so far.
 */
export function epochLine(metrics: FineTuningMetrics, epochs: number | undefined, elapsedMs: number): string {
  const epoch = metrics.epoch;
  const parts = [`epoch ${epoch ?? '?'}/${epochs ?? '?'}`, `loss ${fixed(metrics.train_loss)}`];
  if (metrics.valid_loss !== null && metrics.valid_loss !== undefined)
    parts.push(`val ${fixed(metrics.valid_loss)}`);
  if (metrics.accuracy !== null && metrics.accuracy !== undefined)
    parts.push(`acc ${fixed(metrics.accuracy)}`);
  if (epoch !== undefined && epochs !== undefined && epoch > 0) {
    parts.push(`ETA ${seconds((elapsedMs / epoch) * Math.max(0, epochs - epoch))}`);
  }
  return parts.join('  ');
}

/** The last epoch's metrics as a two-column table. */
export function trainingMetricsTable(metrics: FineTuningMetrics): string[] {
  const rows: [string, string][] = [
    ['epoch', String(metrics.epoch ?? '-')],
    ['train loss', fixed(metrics.train_loss)],
    ['valid loss', fixed(metrics.valid_loss)],
    ['accuracy', fixed(metrics.accuracy)],
    ['precision', fixed(metrics.precision)],
    ['recall', fixed(metrics.recall)],
    ['F1', fixed(metrics.f1)],
    ['ROC AUC', fixed(metrics.roc_auc)],
  ];
  return columns(rows.filter(([, value]) => value !== '-'));
}

export function costText(cost: Money | null): string {
  return cost === null ? 'cost: unpriced' : `cost: ${cost.toDecimalString()} ${cost.currency}`;
}

/** An evaluation as a table: the metrics, the confusion matrix and the cost. */
export function evaluationTable(result: EvaluationResult): string[] {
  const matrix = result.confusionMatrix;
  return [
    ...columns([
      ['examples', String(result.examples)],
      ['accuracy', fixed(result.accuracy)],
      ['precision', fixed(result.precision)],
      ['recall', fixed(result.recall)],
      ['F1', fixed(result.f1)],
      ['ROC AUC', fixed(result.rocAuc)],
      ['log loss', fixed(result.logLoss)],
    ]),
    '',
    ...columns([
      ['', 'predicted 1', 'predicted 0'],
      ['actual 1', String(matrix.truePositives), String(matrix.falseNegatives)],
      ['actual 0', String(matrix.falsePositives), String(matrix.trueNegatives)],
    ]),
    '',
    costText(result.cost),
  ];
}
