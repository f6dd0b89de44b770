import { describe, expect, it } from 'vitest';
import { stepMetricsCsv } from '../../../../src/server/fine-tuning/step-metrics-csv.js';

const checkpoint = (step: number, metrics: Record<string, number | null>) => ({
  id: `ftckpt-${step}`,
  created_at: 0,
  fine_tuned_model_checkpoint: `ft:x:ckpt-step-${step}`,
  step_number: step,
  metrics,
});

describe('stepMetricsCsv', () => {
  it('writes one row per checkpoint, oldest first, and leaves what a job lacks empty', () => {
    const csv = stepMetricsCsv([
      checkpoint(25, {
        step: 25,
        epoch: 1,
        train_loss: 0.61,
        valid_loss: null,
        accuracy: 0.7,
        roc_auc: Number.NaN,
      }),
      checkpoint(50, { step: 50, epoch: 2, train_loss: 0.5, valid_loss: 0.55 }),
    ]);
    expect(csv).toBe(
      'step,epoch,train_loss,valid_loss,accuracy,precision,recall,f1,roc_auc\n' +
        '25,1,0.61,,0.7,,,,\n' +
        '50,2,0.5,0.55,,,,,\n',
    );
  });

  it('is the header alone for a job with no epochs', () => {
    expect(stepMetricsCsv([])).toBe(
      'step,epoch,train_loss,valid_loss,accuracy,precision,recall,f1,roc_auc\n',
    );
  });
});
