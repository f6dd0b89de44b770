import type { FineTuningMetrics } from '../../wire/openai/fine-tuning-schemas.js';
import type { EpochReport } from '../training/training-contract.js';

/**
 * An epoch's report in OpenAI's metric names (a checkpoint's and a `metrics` event's): the
 * losses, plus the classifier metrics or a language model's mean token accuracies.
 */
export function metricsOf(report: EpochReport): FineTuningMetrics {
  const { metrics, tokenAccuracy } = report;
  return {
    step: report.step,
    epoch: report.epoch,
    train_loss: report.trainLoss,
    valid_loss: report.validLoss ?? null,
    full_valid_loss: report.validLoss ?? null,
    ...(tokenAccuracy === undefined
      ? {}
      : {
          train_mean_token_accuracy: tokenAccuracy.train,
          valid_mean_token_accuracy: tokenAccuracy.valid ?? null,
          full_valid_mean_token_accuracy: tokenAccuracy.valid ?? null,
        }),
    ...(metrics === undefined
      ? {}
      : {
          accuracy: metrics.accuracy,
          precision: metrics.precision,
          recall: metrics.recall,
          f1: metrics.f1,
          roc_auc: metrics.rocAuc,
        }),
  };
}
