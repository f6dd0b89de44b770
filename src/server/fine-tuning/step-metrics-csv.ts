import type { JobCheckpointRecord } from './job-record.js';

const columns = [
  'step',
  'epoch',
  'train_loss',
  'valid_loss',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
] as const;

/**
 * One row per epoch's checkpoint, oldest first, in the columns OpenAI's step-metrics results file
 * starts with (`step`, `train_loss`, `valid_loss`) plus the classifier metrics; a metric the job
 * has not got is an empty field.
 *
 * @example
 * stepMetricsCsv(job.checkpoints); // 'step,epoch,train_loss,...\n25,1,0.61,...\n'
 */
export function stepMetricsCsv(checkpoints: readonly JobCheckpointRecord[]): string {
  const rows = checkpoints.map(({ metrics }) =>
    columns
      .map((column) => {
        const value = metrics[column];
        return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
      })
      .join(','),
  );
  return `${[columns.join(','), ...rows].join('\n')}\n`;
}
